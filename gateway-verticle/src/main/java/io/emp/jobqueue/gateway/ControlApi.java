package io.emp.jobqueue.gateway;

import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.core.model.JobQueueException.Code;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.queue.QueueClient;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;

/**
 * Admin routes of the control plane: the cluster's members, every queue with its paused state,
 * pause/resume of a service, drain of a machine. Who asked (the key's customer, the caller's
 * address, the request id) goes with each control, into the queue node's audit log line and the
 * monitor event it emits.
 */
final class ControlApi {
  private final QueueClient queue;
  private final ClusterView cluster;
  private final HttpApi api;

  ControlApi(QueueClient queue, ClusterView cluster, HttpApi api) {
    this.queue = queue;
    this.cluster = cluster;
    this.api = api;
  }

  QueueClient queue() {
    return queue;
  }

  /** GET /api/cluster */
  void cluster(RoutingContext ctx) {
    admin(ctx, t -> cluster.describe());
  }

  /** GET /api/queues */
  void queues(RoutingContext ctx) {
    admin(ctx, t -> queue.queues(t));
  }

  /** GET /api/machines: every live machine with its slots, current jobs, services' health (issue 11). */
  void machines(RoutingContext ctx) {
    admin(ctx, t -> queue.machines(t));
  }

  /** GET /api/workers: every live worker, idle or busy with its current job (issue 11). */
  void workers(RoutingContext ctx) {
    admin(ctx, t -> queue.workers(t));
  }

  /** POST /api/queues/:service/pause: 200 {service, paused: true}. */
  void pause(RoutingContext ctx) {
    admin(ctx, t -> queue.pause(ctx.pathParam("service"), actor(ctx), t).map(ControlApi::pausedAnswer));
  }

  /** POST /api/queues/:service/resume: 200 {service, paused: false}. */
  void resume(RoutingContext ctx) {
    admin(ctx, t -> queue.resume(ctx.pathParam("service"), actor(ctx), t).map(ControlApi::pausedAnswer));
  }

  /** POST /api/machines/:id/drain: 200 {machine_id, draining: true}; 404 when no such machine is registered. */
  void drain(RoutingContext ctx) {
    admin(ctx, t -> queue.drain(ctx.pathParam("id"), actor(ctx), t));
  }

  /**
   * POST /api/workers/reload: every node with workers re-reads its worker section (the clustered bus
   * reaches every node; unclustered nodes reload on SIGHUP). 200 {reload: "requested"}.
   */
  void reload(RoutingContext ctx) {
    admin(ctx, t -> queue.reload(actor(ctx), t));
  }

  private static JsonObject pausedAnswer(JsonObject r) {
    return new JsonObject().put("service", r.getString("service")).put("paused", r.getBoolean("paused"));
  }

  /** Runs {@code action} for an admin key (else 403) and answers 200 with its JSON, or the error. */
  void admin(RoutingContext ctx, Function<TraceContext, Future<JsonObject>> action) {
    Principal p = ctx.get(HttpApi.PRINCIPAL);
    if (p == null || !p.admin()) {
      api.fail(ctx, new JobQueueException(Code.FORBIDDEN, "this route needs an admin key"));
      return;
    }
    Future<JsonObject> f;
    try {
      f = action.apply(RequestTracing.traceContext(ctx));
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    f.onSuccess(body -> HttpApi.json(ctx, 200, body)).onFailure(err -> api.fail(ctx, err));
  }

  /** Who asked, for the audit trail: never the key itself. */
  static String actor(RoutingContext ctx) {
    Principal p = ctx.get(HttpApi.PRINCIPAL);
    String from = ctx.request().remoteAddress() == null ? "?" : ctx.request().remoteAddress().hostAddress();
    String rid = RequestTracing.requestId(ctx);
    return "admin key of customer '" + (p == null ? "?" : p.customerId()) + "' from " + from
        + (rid == null ? "" : " (request " + rid + ")");
  }
}
