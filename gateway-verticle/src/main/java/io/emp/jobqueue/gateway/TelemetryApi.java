package io.emp.jobqueue.gateway;

import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.core.model.JobQueueException.Code;
import io.emp.jobqueue.core.model.Problem;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.core.model.ValidationException;
import io.emp.jobqueue.core.telemetry.Seed;
import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.core.telemetry.TraceStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * This node's view of its telemetry: kept traces as span trees (the monitor draws them), the trace
 * ids of a workflow's steps, sampler/exporter counters, and Prometheus metrics.
 * Traces come from the node's bounded {@link TraceStore}: in the embedded default (all roles in one
 * JVM) a job's whole trace is there; on a split deployment each node holds its own part.
 */
final class TelemetryApi {
  private final Telemetry telemetry;
  private final JobAccess access;
  private final HttpApi api;

  TelemetryApi(Telemetry telemetry, JobAccess access, HttpApi api) {
    this.telemetry = telemetry;
    this.access = access;
    this.api = api;
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
        if (telemetry.traces().spans(id).stream().anyMatch(s -> Seed.Span.REDIS_SUBMIT.equals(s.getName())
            || Seed.Span.REDIS_CLAIM.equals(s.getName()))) {
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
   * GET /metrics, Prometheus text format: queue depth and totals per service, tail-sampler and
   * exporter counters. Unauthenticated like /health: it carries service names and counts only.
   */
  void metrics(RoutingContext ctx) {
    access.queue().stats(TraceContext.EMPTY).onComplete(ar -> {
      StringBuilder sb = new StringBuilder();
      if (ar.succeeded()) {
        String[][] gauges = {{"pending", "gauge"}, {"active", "gauge"}, {"delayed", "gauge"},
            {"completed", "counter"}, {"failed", "counter"}, {"cancelled", "counter"}};
        for (String[] g : gauges) {
          String name = "emp_queue_jobs_" + g[0] + ("counter".equals(g[1]) ? "_total" : "");
          sb.append("# TYPE ").append(name).append(' ').append(g[1]).append('\n');
          for (Object o : ar.result().getJsonArray("services", new JsonArray())) {
            JsonObject s = (JsonObject) o;
            sb.append(name).append("{service=\"").append(s.getString("service")).append("\"} ")
                .append(s.getLong(g[0], 0L)).append('\n');
          }
        }
        sb.append("# TYPE emp_queue_oldest_pending_age_seconds gauge\n");
        for (Object o : ar.result().getJsonArray("services", new JsonArray())) {
          JsonObject s = (JsonObject) o;
          long age = s.getLong("oldest_pending_age_ms", -1L);
          sb.append("emp_queue_oldest_pending_age_seconds{service=\"").append(s.getString("service")).append("\"} ")
              .append(age < 0 ? 0 : String.format(Locale.ROOT, "%.3f", age / 1000.0)).append('\n');
        }
      }
      sb.append("# TYPE emp_queue_up gauge\nemp_queue_up ").append(ar.succeeded() ? 1 : 0).append('\n');
      counter(sb, "emp_tail_sampler", telemetry.sampler().counters());
      sb.append("# TYPE emp_tail_sampler_buffered_spans gauge\nemp_tail_sampler_buffered_spans ")
          .append(telemetry.sampler().bufferedSpans()).append('\n');
      counter(sb, "emp_span_export", telemetry.exportStats().counters());
      sb.append("# TYPE emp_trace_store_traces gauge\nemp_trace_store_traces ").append(telemetry.traces().size())
          .append('\n');
      ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(sb.toString());
    });
  }

  private static void counter(StringBuilder sb, String prefix, Map<String, Long> counters) {
    counters.forEach((k, v) -> {
      String name = prefix + "_" + k + "_total";
      sb.append("# TYPE ").append(name).append(" counter\n").append(name).append(' ').append(v).append('\n');
    });
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
