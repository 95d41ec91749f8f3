package io.emp.jobqueue.gateway;

import io.emp.jobqueue.core.telemetry.SpanAttributes;
import io.emp.jobqueue.core.telemetry.Attr;
import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.model.JobIds;
import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.core.model.JobQueueException.Code;
import io.emp.jobqueue.core.model.JobStatus;
import io.emp.jobqueue.core.model.Problem;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.core.model.ValidationException;
import io.emp.jobqueue.core.telemetry.Version;
import io.emp.jobqueue.queue.store.JobFilter;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/** One small handler per HTTP route; the route table is in {@link GatewayRouter}. */
final class HttpApi {
  static final String PRINCIPAL = "emp.principal";
  private static final System.Logger LOG = System.getLogger(HttpApi.class.getName());
  private static final int MAX_EVENTS_PAGE = 1_000;

  private final JobAccess access;
  private final Authenticator auth;
  private final BooleanSupplier relayRunning;
  private final GatewayConfig cfg;
  private final ServiceCoverage coverage;

  HttpApi(JobAccess access, Authenticator auth, BooleanSupplier relayRunning, GatewayConfig cfg) {
    this(access, auth, relayRunning, cfg, new ServiceCoverage());
  }

  /** @param coverage the services live workers serve: a submit for another one gets a warning */
  HttpApi(JobAccess access, Authenticator auth, BooleanSupplier relayRunning, GatewayConfig cfg,
          ServiceCoverage coverage) {
    this.access = access;
    this.auth = auth;
    this.relayRunning = relayRunning;
    this.cfg = cfg;
    this.coverage = coverage;
  }

  // ------------------------------------------------------------ filters

  void authenticate(RoutingContext ctx) {
    String token = Authenticator.token(ctx.request());
    if (!auth.disabled() && token == null) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      fail(ctx, new JobQueueException(Code.UNAUTHORIZED, "an API key is required (Authorization: Bearer <key>)"));
      return;
    }
    auth.authenticate(token).ifPresentOrElse(p -> {
      ctx.put(PRINCIPAL, p);
      SpanAttributes.putIf(RequestTracing.span(ctx), Attr.CUSTOMER_ID, p.admin() ? null : p.customerId());
      ctx.next();
    }, () -> {
      ctx.response().putHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      fail(ctx, new JobQueueException(Code.UNAUTHORIZED, "the API key is not valid"));
    });
  }

  /** Failure handler of every route: the single mapping from failure to answer. */
  void failure(RoutingContext ctx) {
    Throwable err = ctx.failure();
    if (ApiErrors.clientGone(err) || ctx.response().closed()) {
      // The client hung up (e.g. in the middle of its body): nobody to answer, and not a server error.
      LOG.log(System.Logger.Level.DEBUG, "client closed the connection during " + ctx.request().path());
      return;
    }
    fail(ctx, err != null ? ApiErrors.classify(err) : ApiErrors.fromStatus(ctx.statusCode()));
  }

  // ------------------------------------------------------------ /api/jobs

  void submit(RoutingContext ctx) {
    io.opentelemetry.api.trace.Span span = RequestTracing.span(ctx);
    span.setAttribute(Attr.HTTP_REQUEST_BODY_SIZE, (long) Math.max(0, ctx.body().length()));
    JsonObject body;
    try {
      body = RequestParams.jsonObjectBody(ctx);
    } catch (RuntimeException e) {
      span.addEvent(io.emp.jobqueue.core.telemetry.EventName.VALIDATION_FAILED);
      fail(ctx, ApiErrors.classify(e));
      return;
    }
    access.submit(principal(ctx), body, ctx.request().getHeader("Idempotency-Key"), RequestTracing.requestId(ctx),
            span, RequestTracing.traceContext(ctx))
        .onSuccess(s -> {
          JsonObject answer = s.toJson(principal(ctx));
          JsonArray warnings = coverage.warnings(body.getString("service_required"));
          if (!warnings.isEmpty()) {
            answer.put("warnings", warnings);
          }
          json(ctx, s.result().created() ? 201 : 200, answer);
        })
        .onFailure(err -> fail(ctx, err));
  }

  void get(RoutingContext ctx) {
    Principal who = principal(ctx);
    String id = pathJobId(ctx);
    access.owned(who, id, RequestTracing.traceContext(ctx))
        .onSuccess(job -> json(ctx, 200, PublicIds.jobJson(who, job)))
        .onFailure(err -> fail(ctx, err));
  }

  /**
   * GET /api/jobs: the job browser (issue 11). Filters of the contract, newest created first, an exact
   * cursor. A client key sees its own jobs only: its customer is the filter (read from that customer's
   * own index, so its pages are full); naming another customer finds nothing.
   */
  void list(RoutingContext ctx) {
    Principal who = principal(ctx);
    List<Problem> problems = new ArrayList<>();
    String status = RequestParams.param(ctx, "status");
    if (status != null) {
      try {
        JobStatus.fromWire(status);
      } catch (RuntimeException e) {
        problems.add(new Problem("status", "enum", "is not a job status"));
      }
    }
    int limit = RequestParams.intParam(ctx, "limit", 50, 1, 500, problems);
    String customer = RequestParams.param(ctx, "customer_id");
    String prefix = RequestParams.param(ctx, "id_prefix");
    if (prefix != null && !(who.admin() ? prefix.matches("[A-Za-z0-9_.~\\-]{1,400}")
        : JobIds.isName(prefix, JobIds.MAX_JOB_NAME))) {
      problems.add(new Problem("id_prefix", "format", "may contain only letters, digits, '-', '_' and '.'"));
    }
    JobFilter filter = new JobFilter(status, RequestParams.param(ctx, "service"), customer, RequestParams.param(ctx, "worker_id"),
        RequestParams.param(ctx, "error_type"), RequestParams.timeParam(ctx, "created_after", problems), RequestParams.timeParam(ctx, "created_before", problems),
        RequestParams.timeParam(ctx, "finished_after", problems), RequestParams.timeParam(ctx, "finished_before", problems), prefix);
    if (!problems.isEmpty()) {
      fail(ctx, new ValidationException(problems));
      return;
    }
    if (!who.admin()) {
      if (customer != null && !customer.equals(who.customerId())) {
        json(ctx, 200, new JsonObject().put("jobs", new JsonArray()).put("next_cursor", (String) null));
        return;
      }
      filter = filter.withCustomer(who.customerId())
          .withIdPrefix(prefix == null ? null : JobIds.scoped(who.customerId(), prefix));
    }
    access.queue().browse(filter, limit, RequestParams.param(ctx, "cursor"), RequestTracing.traceContext(ctx))
        .onSuccess(page -> {
          JsonArray jobs = new JsonArray();
          page.getJsonArray("jobs", new JsonArray()).forEach(o -> {
            // the store read this customer's own index; the check stays as a second line of defence
            if (who.canAccess(((JsonObject) o).getString(Job.F.CUSTOMER))) {
              jobs.add(PublicIds.jobJson(who, (JsonObject) o));
            }
          });
          json(ctx, 200, new JsonObject().put("jobs", jobs).put("next_cursor", page.getString("next_cursor")));
        })
        .onFailure(err -> fail(ctx, err));
  }

  void cancel(RoutingContext ctx) {
    Principal who = principal(ctx);
    String id = pathJobId(ctx);
    String reason = null;
    if (ctx.body() != null && ctx.body().length() > 0) {
      try {
        reason = RequestParams.jsonObjectBody(ctx).getString("reason");
      } catch (RuntimeException e) {
        fail(ctx, ApiErrors.classify(e));
        return;
      }
    }
    String why = reason;
    TraceContext trace = RequestTracing.traceContext(ctx);
    access.owned(who, id, trace)
        .compose(job -> access.queue().cancel(id, why, trace))
        .onSuccess(outcome -> json(ctx, 200, new JsonObject().put("job_id", PublicIds.out(who, id))
            .put("outcome", outcome)))
        .onFailure(err -> fail(ctx, err));
  }

  void events(RoutingContext ctx) {
    Principal who = principal(ctx);
    String id = pathJobId(ctx);
    List<Problem> problems = new ArrayList<>();
    long after = RequestParams.intParam(ctx, "after_seq", 0, 0, Integer.MAX_VALUE, problems);
    if (!problems.isEmpty()) {
      fail(ctx, new ValidationException(problems));
      return;
    }
    TraceContext trace = RequestTracing.traceContext(ctx);
    access.owned(who, id, trace)
        .compose(job -> access.queue().events(id, after, MAX_EVENTS_PAGE, trace))
        .onSuccess(evs -> {
          JsonArray events = evs.getJsonArray("events", new JsonArray());
          events.forEach(e -> PublicIds.eventJson(who, (JsonObject) e));
          json(ctx, 200, new JsonObject().put("job_id", PublicIds.out(who, id)).put("events", events));
        })
        .onFailure(err -> fail(ctx, err));
  }

  // ------------------------------------------------------------ health

  void health(RoutingContext ctx) {
    json(ctx, 200, new JsonObject().put("status", "ok"));
  }

  void ready(RoutingContext ctx) {
    boolean relay = relayRunning.getAsBoolean();
    access.queue().stats(TraceContext.EMPTY)
        .map(s -> true).otherwise(false)
        .onComplete(ar -> {
          boolean queue = ar.result();
          JsonObject checks = new JsonObject().put("queue", queue ? "ok" : "unavailable")
              .put("relay", relay ? "ok" : "not running");
          if (queue && relay) {
            json(ctx, 200, new JsonObject().put("status", "ready").put("checks", checks));
          } else {
            ctx.response().putHeader("Retry-After", Integer.toString(cfg.retryAfterSeconds()));
            json(ctx, 503, new JsonObject().put("status", "not_ready").put("checks", checks));
          }
        });
  }

  void version(RoutingContext ctx) {
    json(ctx, 200, new JsonObject().put("version", Version.current()).put("api", "v1"));
  }

  // ------------------------------------------------------------ plumbing

  private static Principal principal(RoutingContext ctx) {
    return ctx.get(PRINCIPAL);
  }

  /**
   * The stored id of the job the path names, or null when the path cannot name a job of the caller
   * (then {@link JobAccess#owned} answers 404 like for a job that does not exist). The request span
   * gets the stored id, like every other span of the job.
   */
  private static String pathJobId(RoutingContext ctx) {
    String id = PublicIds.job(principal(ctx), ctx.pathParam("id"));
    SpanAttributes.putIf(RequestTracing.span(ctx), Attr.JOB_ID, id);
    return id;
  }

  static void json(RoutingContext ctx, int status, JsonObject body) {
    HttpServerResponse res = ctx.response();
    if (res.ended() || res.closed()) {
      return;
    }
    res.setStatusCode(status).putHeader("Content-Type", "application/json").end(body.toBuffer());
  }

  /** Every error answer goes through here: one mapping, one shape, never half-written. */
  void fail(RoutingContext ctx, Throwable err) {
    JobQueueException e = ApiErrors.classify(PublicIds.failure(principal(ctx), err));
    HttpServerResponse res = ctx.response();
    if (res.headWritten()) {
      // Part of a success answer is already out: cutting the connection is the only honest signal.
      res.reset();
      return;
    }
    io.opentelemetry.api.trace.Span span = RequestTracing.span(ctx);
    span.setAttribute(Attr.ERROR_TYPE, ApiErrors.wireCode(e.code()));
    if (e.code().httpStatus() == 503) {
      res.putHeader("Retry-After", Integer.toString(cfg.retryAfterSeconds()));
    }
    json(ctx, e.code().httpStatus(), ApiErrors.body(e));
  }
}
