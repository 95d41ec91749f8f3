package io.emp.jobqueue.gateway;

import io.emp.jobqueue.core.telemetry.SpanAttributes;
import io.opentelemetry.api.trace.Span;
import io.emp.jobqueue.core.telemetry.Attr;
import io.emp.jobqueue.core.telemetry.SpanName;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.core.telemetry.TelemetryConfig;
import io.emp.jobqueue.core.telemetry.SamplingPolicy;
import io.emp.jobqueue.core.telemetry.TraceContexts;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Opens the {@code http.request.received} span of every /api request (continuing the caller's
 * W3C context), assigns the request id, and ends the span with the final status when the
 * response is done or the connection dies. Handlers reach the span through the routing context.
 */
final class RequestTracing implements Handler<RoutingContext> {
  static final String REQUEST_ID_HEADER = "X-Request-Id";
  private static final String SPAN = "emp.span";
  private static final String CONTEXT = "emp.otel.context";
  private static final String REQUEST_ID = "emp.request.id";
  private static final Pattern SAFE_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:\\-]{1,128}");

  private final Tracer tracer;
  private final TelemetryConfig telemetry;
  private final io.emp.jobqueue.core.metrics.Metrics metrics;

  RequestTracing(Tracer tracer, TelemetryConfig telemetry) {
    this(tracer, telemetry, io.emp.jobqueue.core.metrics.Metrics.disabled());
  }

  /** {@code metrics}: every error answer is counted as emp_errors{component="api", error_type=its code}. */
  RequestTracing(Tracer tracer, TelemetryConfig telemetry, io.emp.jobqueue.core.metrics.Metrics metrics) {
    this.tracer = tracer;
    this.telemetry = telemetry;
    this.metrics = metrics;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    String given = req.getHeader(REQUEST_ID_HEADER);
    // An unusable id (too long, odd characters) is replaced rather than echoed into logs and spans.
    String requestId = given != null && SAFE_REQUEST_ID.matcher(given).matches() ? given : UUID.randomUUID().toString();
    ctx.response().putHeader(REQUEST_ID_HEADER, requestId);
    Context parent = parentOf(req);
    Span span = tracer.spanBuilder(SpanName.HTTP_REQUEST).setParent(parent)
        .setSpanKind(SpanKind.SERVER)
        .setAttribute(Attr.HTTP_METHOD, req.method().name())
        .setAttribute(Attr.HTTP_REQUEST_METHOD, req.method().name())
        .setAttribute(Attr.HTTP_URL, req.path())
        .setAttribute(Attr.URL_PATH, req.path())
        .setAttribute(Attr.REQUEST_ID, requestId)
        .setAttribute(Attr.API_VERSION, telemetry.version())
        .setAttribute(Attr.ENVIRONMENT, telemetry.environment())
        .setAttribute(Attr.DEPLOYMENT_ENVIRONMENT, telemetry.environment())
        .startSpan();
    SpanAttributes.putIf(span, Attr.DEPLOYMENT_REGION, telemetry.region());
    String ua = req.getHeader("User-Agent");
    SpanAttributes.putIf(span, Attr.HTTP_USER_AGENT, ua);
    SpanAttributes.putIf(span, Attr.USER_AGENT_ORIGINAL, ua);
    if (req.remoteAddress() != null) {
      SpanAttributes.putIf(span, Attr.CLIENT_IP, req.remoteAddress().hostAddress());
      SpanAttributes.putIf(span, Attr.CLIENT_ADDRESS, req.remoteAddress().hostAddress());
    }
    String length = req.getHeader("Content-Length");
    if (length != null && length.matches("\\d{1,18}")) {
      span.setAttribute(Attr.HTTP_REQUEST_CONTENT_LENGTH, Long.parseLong(length));
      span.setAttribute(Attr.HTTP_REQUEST_BODY_SIZE, Long.parseLong(length));
    }
    ctx.put(SPAN, span);
    ctx.put(CONTEXT, parent.with(span));
    ctx.put(REQUEST_ID, requestId);
    // The request's span stays current on the request's own (duplicated) Vert.x context until the
    // response ends, so every log line of the request, in any callback, carries its trace (TraceLogFormatter).
    io.opentelemetry.context.Scope scope = parent.with(span).makeCurrent();
    ctx.addEndHandler(ar -> {
      scope.close();
      int status = ctx.response().getStatusCode();
      span.setAttribute(Attr.HTTP_STATUS_CODE, (long) status);
      span.setAttribute(Attr.HTTP_RESPONSE_STATUS_CODE, (long) status);
      if (status >= 500 || ar.failed()) {
        span.setStatus(StatusCode.ERROR);
      }
      if (status >= 400) {
        metrics.counter(io.emp.jobqueue.core.metrics.MetricNames.ERRORS, "api",
            ApiErrors.wireCode(ApiErrors.fromStatus(status).code())).increment();
      }
      span.end();
    });
    ctx.next();
  }

  /** The caller's context from the headers; an active server span (Vert.x tracer) wins, keeping the baggage. */
  private static Context parentOf(HttpServerRequest req) {
    Context fromHeaders = TraceContexts.extract(TraceContext.from(req::getHeader));
    Context current = Context.current();
    if (Span.fromContext(current).getSpanContext().isValid()) {
      return current.with(Baggage.fromContext(fromHeaders));
    }
    return fromHeaders;
  }

  static Span span(RoutingContext ctx) {
    Span s = ctx.get(SPAN);
    return s == null ? Span.getInvalid() : s;
  }

  /** What the queue should continue from: this request's span plus the caller's baggage. */
  static TraceContext traceContext(RoutingContext ctx) {
    Context c = ctx.get(CONTEXT);
    if (c == null) {
      return TraceContext.EMPTY;
    }
    // A client key cannot make its own jobs VIP: the tier baggage counts only from admins (or from
    // the configured customer tiers, which the queue adds).
    Principal who = ctx.get(HttpApi.PRINCIPAL);
    Baggage baggage = Baggage.fromContext(c);
    if (who != null && !who.admin() && baggage.getEntryValue(SamplingPolicy.TIER_BAGGAGE_KEY) != null) {
      c = baggage.toBuilder().remove(SamplingPolicy.TIER_BAGGAGE_KEY).build().storeInContext(c);
    }
    return TraceContexts.inject(c);
  }

  static String requestId(RoutingContext ctx) {
    return ctx.get(REQUEST_ID);
  }
}
