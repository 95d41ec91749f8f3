package io.emp.jobqueue.gateway;

import io.emp.jobqueue.core.telemetry.SpanName;
import io.emp.jobqueue.core.metrics.Metrics;
import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.core.model.JobQueueException.Code;
import io.emp.jobqueue.core.model.Problem;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.core.model.ValidationException;
import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.core.telemetry.TraceStore;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * This node's view of its telemetry: kept traces as span trees (the monitor draws them), the trace
 * ids of a workflow's steps, sampler/exporter counters, Prometheus metrics, and the SLA and capacity
 * summaries of {@link JobAnalytics}.
 * Traces come from the node's bounded {@link TraceStore}: in the embedded default (all roles in one
 * JVM) a job's whole trace is there; on a split deployment each node holds its own part.
 */
final class TelemetryApi {
  private final Telemetry telemetry;
  private final JobAccess access;
  private final HttpApi api;
  private final JobAnalytics analytics;

  TelemetryApi(Telemetry telemetry, JobAccess access, HttpApi api, JobAnalytics analytics) {
    this.telemetry = telemetry;
    this.access = access;
    this.api = api;
    this.analytics = analytics;
  }

  /** GET /api/traces?job_id=: the traces of a job the caller may read (every attempt's, and the submit's). */
  void tracesOfJob(RoutingContext ctx) {
    String asked = ctx.request().getParam("job_id");
    if (asked == null || asked.isBlank()) {
      api.fail(ctx, new ValidationException(List.of(new Problem("job_id", "required", "is required"))));
      return;
    }
    Principal who = principal(ctx);
    String jobId = PublicIds.job(who, asked);
    access.owned(who, jobId, RequestTracing.traceContext(ctx)).onSuccess(job -> {
      Set<String> ids = new LinkedHashSet<>();
      // Reads and cancels of the job (GET /api/jobs/{id}) carry job.id too, but are traces of their own
      // requests, not of the job: only traces with the job's submit or claim spans are the job's.
      for (String id : telemetry.traces().tracesForJob(jobId)) {
        if (telemetry.traces().spans(id).stream().anyMatch(s -> SpanName.REDIS_SUBMIT.equals(s.getName())
            || SpanName.REDIS_CLAIM.equals(s.getName()))) {
          ids.add(id);
        }
      }
      String own = TraceContext.of(job.getString("traceparent")).traceId();
      if (own != null) {
        ids.add(own);
      }
      JsonArray traces = new JsonArray();
      ids.forEach(id -> traces.add(PublicIds.traceJson(who, telemetry.traces().treeJson(id))));
      HttpApi.json(ctx, 200, new JsonObject().put("job_id", PublicIds.out(who, jobId)).put("traces", traces));
    }).onFailure(err -> api.fail(ctx, err));
  }

  /** GET /api/traces/{traceId}: admin only, since a trace can span customers' requests. */
  void trace(RoutingContext ctx) {
    if (!adminOrFail(ctx)) {
      return;
    }
    String traceId = ctx.pathParam("traceId");
    JsonObject tree = telemetry.traces().treeJson(traceId);
    if (tree.getInteger("span_count") == 0) {
      api.fail(ctx, JobQueueException.notFound("trace " + traceId + " (not kept by this node, or evicted)"));
      return;
    }
    HttpApi.json(ctx, 200, tree);
  }

  /**
   * GET /api/workflows/{id}: the trace ids of the workflow's steps (seed "Business Transaction
   * Tracking"), from Redis, so any API node can answer for any workflow.
   */
  void workflow(RoutingContext ctx) {
    if (!adminOrFail(ctx)) {
      return;
    }
    String id = PublicIds.workflow(principal(ctx), ctx.pathParam("id"));
    if (id == null) {
      api.fail(ctx, JobQueueException.notFound("workflow"));
      return;
    }
    access.queue().workflow(id, RequestTracing.traceContext(ctx)).onSuccess(w -> {
      JsonArray steps = w.getJsonArray("steps", new JsonArray());
      if (steps.isEmpty()) {
        api.fail(ctx, JobQueueException.notFound("workflow " + id));
        return;
      }
      JsonArray sessions = new JsonArray();
      steps.forEach(o -> sessions.add(((JsonObject) o).getString("trace_id")));
      HttpApi.json(ctx, 200, new JsonObject().put("workflow_id", id).put("trace_sessions", sessions)
          .put("steps", steps));
    }).onFailure(err -> api.fail(ctx, err));
  }

  /** GET /api/telemetry: sampler and exporter counters (admin). */
  void counters(RoutingContext ctx) {
    if (!adminOrFail(ctx)) {
      return;
    }
    JsonObject sampler = new JsonObject(new java.util.LinkedHashMap<String, Object>(telemetry.sampler().counters()))
        .put("buffered_spans", telemetry.sampler().bufferedSpans())
        .put("buffered_traces", telemetry.sampler().bufferedTraces());
    HttpApi.json(ctx, 200, new JsonObject().put("sampler", sampler)
        .put("export", new JsonObject(new java.util.LinkedHashMap<String, Object>(telemetry.exportStats().counters())))
        .put("trace_store", new JsonObject().put("traces", telemetry.traces().size())));
  }

  /**
   * GET /metrics: the node's registry (docs/operations.md lists every family), in OpenMetrics with
   * exemplars when the Accept header asks for {@code application/openmetrics-text}, else in the
   * Prometheus text format. Unauthenticated like /health: it carries names, tiers and counts only.
   */
  void metrics(RoutingContext ctx) {
    Metrics.Scrape scrape = telemetry.metrics().scrape(ctx.request().getHeader("Accept"));
    if (scrape == null) {
      api.fail(ctx, JobQueueException.notFound("metrics (metrics.enabled is false on this node)"));
      return;
    }
    ctx.response().putHeader("Content-Type", scrape.contentType()).end(Buffer.buffer(scrape.body()));
  }

  /** GET /api/sla: promised vs actual per customer tier over the last hour and day (admin). */
  void sla(RoutingContext ctx) {
    if (adminOrFail(ctx)) {
      HttpApi.json(ctx, 200, analytics.slaSummary());
    }
  }

  /**
   * GET /api/activity: submits, completions, failures and submit-to-complete latency (p50, p95) per
   * minute over the last 15 minutes (admin); the monitor page's charts.
   */
  void activity(RoutingContext ctx) {
    if (adminOrFail(ctx)) {
      HttpApi.json(ctx, 200, analytics.activitySummary());
    }
  }

  /** GET /api/capacity: arrival and completion rates, backlog, time to drain and slots needed (admin). */
  void capacity(RoutingContext ctx) {
    if (adminOrFail(ctx)) {
      HttpApi.json(ctx, 200, analytics.capacitySummary());
    }
  }

  private boolean adminOrFail(RoutingContext ctx) {
    if (principal(ctx).admin()) {
      return true;
    }
    api.fail(ctx, new JobQueueException(Code.FORBIDDEN, "this endpoint needs an admin key"));
    return false;
  }

  private static Principal principal(RoutingContext ctx) {
    return ctx.get(HttpApi.PRINCIPAL);
  }
}
