package io.emp.jobqueue.gateway;

import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.core.model.JobQueueException.Code;
import io.vertx.core.Vertx;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;

/** The route table: every path the gateway serves, in one place. */
final class GatewayRouter {
  /** Outbound (server to browser) addresses of the SockJS bridge; nothing is inbound-permitted. */
  static final String BRIDGE_OUTBOUND_REGEX = "emp\\.monitor\\..+";
  private static final long CANCEL_BODY_LIMIT = 16 * 1024;

  private GatewayRouter() {
  }

  static Router create(Vertx vertx, GatewayConfig cfg, RequestTracing tracing, HttpApi api, TelemetryApi traces,
                       SocketEndpoints ws, Authenticator auth, ControlApi control, BatchApi batch) {
    Router r = Router.router(vertx);
    r.route().handler(HttpEdge::securityHeaders);
    r.route("/api/*").handler(tracing);
    r.route("/api/*").handler(api::authenticate);

    r.post("/api/*").handler(HttpEdge::bodyIsJson);
    JobActionsApi jobs = new JobActionsApi(control);
    r.post("/api/jobs").handler(BodyHandler.create(false).setBodyLimit(cfg.bodyLimitBytes()));
    r.post("/api/jobs").handler(api::submit);
    // many jobs in one body: its own, larger limit (the jobs' own limits still apply to each)
    r.post("/api/jobs/batch").handler(BodyHandler.create(false).setBodyLimit(cfg.batchBodyLimitBytes()));
    r.post("/api/jobs/batch").handler(batch::submit);
    r.get("/api/jobs").handler(api::list);
    r.get("/api/jobs/:id").handler(api::get);
    r.post("/api/jobs/:id/cancel").handler(BodyHandler.create(false).setBodyLimit(CANCEL_BODY_LIMIT));
    r.post("/api/jobs/:id/cancel").handler(api::cancel);
    r.get("/api/jobs/:id/events").handler(api::events);
    // operator actions on jobs (admin; issue 11)
    r.post("/api/jobs/retry").handler(BodyHandler.create(false).setBodyLimit(JobActionsApi.BODY_LIMIT));
    r.post("/api/jobs/retry").handler(jobs::retryMatching);
    r.post("/api/jobs/:id/retry").handler(jobs::retry);
    r.post("/api/jobs/:id/promote").handler(jobs::promote);
    r.delete("/api/jobs/:id").handler(jobs::delete);
    r.get("/api/traces").handler(traces::tracesOfJob);
    r.get("/api/traces/:traceId").handler(traces::trace);
    r.get("/api/workflows/:id").handler(traces::workflow);
    r.get("/api/telemetry").handler(traces::counters);
    r.get("/api/sla").handler(traces::sla);
    r.get("/api/capacity").handler(traces::capacity);
    r.get("/api/activity").handler(traces::activity);
    // control plane (admin): cluster members, queues with their paused state, pause/resume, drain
    r.get("/api/cluster").handler(control::cluster);
    r.get("/api/queues").handler(control::queues);
    r.post("/api/queues/:service/pause").handler(control::pause);
    r.post("/api/queues/:service/resume").handler(control::resume);
    r.post("/api/machines/:id/drain").handler(control::drain);
    r.get("/api/machines").handler(control::machines);
    r.get("/api/workers").handler(control::workers);
    r.post("/api/workers/reload").handler(control::reload);
    r.route("/api/*").handler(ctx -> api.fail(ctx, JobQueueException.notFound("route " + ctx.request().path())));

    r.get("/health").handler(api::health);
    r.get("/ready").handler(api::ready);
    r.get("/version").handler(api::version);
    r.get("/metrics").handler(traces::metrics);
    // The monitor page holds no data: it asks for an admin key and talks to /ws/monitor and /api/traces.
    r.get("/monitor").handler(ctx -> ctx.response().putHeader("Content-Type", "text/html; charset=utf-8")
        .sendFile("webroot/monitor.html"));

    r.get("/ws").handler(ws::acceptClient);
    r.get("/ws/monitor").handler(ws::acceptMonitor);

    r.route("/eventbus/*").handler(ctx -> HttpEdge.checkOrigin(ctx, cfg.allowedOrigins(), api));
    r.route("/eventbus/*").handler(ctx -> bridgeAuth(ctx, auth, api));
    r.route("/eventbus/*").subRouter(SockJSHandler.create(vertx).bridge(new SockJSBridgeOptions()
        .addOutboundPermitted(new PermittedOptions().setAddressRegex(BRIDGE_OUTBOUND_REGEX))));

    // Anything else is a 404 in the error shape too (Vert.x's own answer would be an HTML page).
    r.route().handler(ctx -> api.fail(ctx, JobQueueException.notFound("route " + ctx.request().path())));
    r.route().failureHandler(api::failure);
    return r;
  }

  /** The bridge shows every customer's events, so it needs an admin key (header or ?token=). */
  private static void bridgeAuth(RoutingContext ctx, Authenticator auth, HttpApi api) {
    Principal p = auth.authenticate(SocketEndpoints.tokenOf(ctx.request())).orElse(null);
    if (p == null) {
      api.fail(ctx, new JobQueueException(Code.UNAUTHORIZED, "an admin API key is required"));
    } else if (!p.admin()) {
      api.fail(ctx, new JobQueueException(Code.FORBIDDEN, "the event-bus bridge needs an admin key"));
    } else {
      ctx.next();
    }
  }
}
