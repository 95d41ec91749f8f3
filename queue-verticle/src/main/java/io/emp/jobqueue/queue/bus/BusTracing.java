package io.emp.jobqueue.queue.bus;

import io.emp.jobqueue.core.telemetry.Attr;
import io.emp.jobqueue.core.telemetry.SpanName;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.core.telemetry.TraceContexts;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;

/**
 * Spans of event-bus hops, and the trace context in message headers. The headers always carry the
 * context (a trace continues on the receiving node either way); the {@code send}/{@code process}
 * span pair is recorded only on a clustered bus, where a message may cross JVMs: in one JVM a hop
 * is a method call, and the documented single-node trace tree (docs/telemetry.md) stays as it is.
 */
public final class BusTracing {
  static final String SYSTEM = "vertx-eventbus";

  private final Tracer tracer;
  private final boolean spans;
  private final String nodeId;

  public BusTracing(Tracer tracer, boolean spans, String nodeId) {
    this.tracer = tracer;
    this.spans = spans;
    this.nodeId = nodeId;
  }

  /** Spans when the Vert.x instance is clustered. */
  public static BusTracing of(Vertx vertx, Tracer tracer) {
    return new BusTracing(tracer, vertx.isClustered(), NodeIdentity.of(vertx));
  }

  /** Records nothing; headers still carry the caller's context. */
  public static BusTracing none() {
    return new BusTracing(null, false, null);
  }

  public boolean recording() {
    return spans;
  }

  /** One outgoing message: its span (invalid when not recording) and the context its headers carry. */
  public record Outgoing(Span span, TraceContext context) {
    public void end(Throwable failure) {
      BusTracing.end(span, failure);
    }

    public DeliveryOptions headers(DeliveryOptions opts) {
      context.toMap().forEach(opts::addHeader);
      return opts;
    }
  }

  /** One handled message: its span (invalid when not recording) and the context its handling runs in. */
  public record Incoming(Span span, TraceContext context) {
    public void end(Throwable failure) {
      BusTracing.end(span, failure);
    }
  }

  /** Starts the span of a message sent to {@code address} as a child of {@code parent}. */
  public Outgoing send(String address, TraceContext parent, int attempt) {
    if (!spans) {
      return new Outgoing(Span.getInvalid(), parent == null ? TraceContext.EMPTY : parent);
    }
    Context ctx = TraceContexts.extract(parent);
    Span s = tracer.spanBuilder(SpanName.busSend(address)).setParent(ctx).setSpanKind(SpanKind.CLIENT)
        .setAttribute(Attr.MESSAGING_SYSTEM, SYSTEM)
        .setAttribute(Attr.MESSAGING_OPERATION_TYPE, "send")
        .setAttribute(Attr.MESSAGING_OPERATION_NAME, "send")
        .setAttribute(Attr.MESSAGING_DESTINATION_NAME, address)
        .setAttribute(Attr.CLUSTER_NODE_ID, nodeId)
        .setAttribute(Attr.MESSAGING_ATTEMPT, (long) attempt)
        .startSpan();
    return new Outgoing(s, TraceContexts.inject(ctx.with(s)));
  }

  /** Starts the span of handling a message that came with {@code headers} on {@code address}. */
  public Incoming process(String address, MultiMap headers) {
    TraceContext carried = TraceContext.from(headers::get);
    if (!spans) {
      return new Incoming(Span.getInvalid(), carried);
    }
    Context ctx = TraceContexts.extract(carried);
    Span s = tracer.spanBuilder(SpanName.busProcess(address)).setParent(ctx).setSpanKind(SpanKind.SERVER)
        .setAttribute(Attr.MESSAGING_SYSTEM, SYSTEM)
        .setAttribute(Attr.MESSAGING_OPERATION_TYPE, "process")
        .setAttribute(Attr.MESSAGING_OPERATION_NAME, "process")
        .setAttribute(Attr.MESSAGING_DESTINATION_NAME, address)
        .setAttribute(Attr.CLUSTER_NODE_ID, nodeId)
        .startSpan();
    return new Incoming(s, TraceContexts.inject(ctx.with(s)));
  }

  private static void end(Span span, Throwable failure) {
    if (!span.getSpanContext().isValid()) {
      return;
    }
    if (failure != null) {
      span.setStatus(StatusCode.ERROR, String.valueOf(failure.getMessage()));
      span.setAttribute(Attr.ERROR_TYPE, failure.getClass().getSimpleName());
    }
    span.end();
  }
}
