package io.emp.jobqueue.gateway;

import io.emp.jobqueue.core.telemetry.SpanAttributes;
import io.emp.jobqueue.core.telemetry.Attr;
import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.core.model.Problem;
import io.emp.jobqueue.core.model.ValidationException;
import io.emp.jobqueue.queue.QueueClient;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Admin actions on jobs (issue 11): retry, bulk retry, promote now, delete. The queue does the work
 * (one script each) and writes the audit event with who asked ({@link ControlApi#actor}).
 */
final class JobActionsApi {
  static final long BODY_LIMIT = 16 * 1024;
  private static final Set<String> BULK_FIELDS = Set.of("status", "service", "error_type", "finished_after",
      "finished_before", "limit", "dry_run");

  private final QueueClient queue;
  private final ControlApi control;

  JobActionsApi(ControlApi control) {
    this.queue = control.queue();
    this.control = control;
  }

  /** POST /api/jobs/:id/retry */
  void retry(RoutingContext ctx) {
    control.admin(ctx, t -> queue.retry(jobId(ctx), ControlApi.actor(ctx), t));
  }

  /** POST /api/jobs/:id/promote */
  void promote(RoutingContext ctx) {
    control.admin(ctx, t -> queue.promote(jobId(ctx), ControlApi.actor(ctx), t));
  }

  /** DELETE /api/jobs/:id */
  void delete(RoutingContext ctx) {
    control.admin(ctx, t -> queue.delete(jobId(ctx), ControlApi.actor(ctx), t));
  }

  /** POST /api/jobs/retry: {status, service, error_type, finished_after, finished_before, limit, dry_run}. */
  void retryMatching(RoutingContext ctx) {
    control.admin(ctx, t -> queue.retryMatching(bulkFilter(ctx), ControlApi.actor(ctx), t));
  }

  /** The body, checked field by field (unknown fields, wrong types and values are one 400 listing all). */
  static JsonObject bulkFilter(RoutingContext ctx) {
    JsonObject sent = RequestParams.jsonObjectBody(ctx);
    JsonObject body = sent == null ? new JsonObject() : sent;
    List<Problem> problems = new ArrayList<>();
    for (String k : body.fieldNames()) {
      if (!BULK_FIELDS.contains(k)) {
        problems.add(new Problem(k, "unknown", "is not a bulk retry field"));
      }
    }
    Object status = body.getValue("status");
    if (status != null && !"failed".equals(status) && !"cancelled".equals(status)) {
      problems.add(new Problem("status", "enum", "must be failed or cancelled"));
    }
    for (String k : List.of("service", "error_type")) {
      if (body.getValue(k) != null && !(body.getValue(k) instanceof String)) {
        problems.add(new Problem(k, "type", "must be a string"));
      }
    }
    for (String k : List.of("finished_after", "finished_before", "limit")) {
      Object v = body.getValue(k);
      if (v != null && !(v instanceof Integer || v instanceof Long)) {
        problems.add(new Problem(k, "type", "must be an integer"));
      }
    }
    Object limit = body.getValue("limit");
    if (limit instanceof Number n && (n.longValue() < 1 || n.longValue() > 10_000)) {
      problems.add(new Problem("limit", "range", "must be within 1..10000"));
    }
    if (body.getValue("dry_run") != null && !(body.getValue("dry_run") instanceof Boolean)) {
      problems.add(new Problem("dry_run", "type", "must be true or false"));
    }
    if (!problems.isEmpty()) {
      throw new ValidationException(problems);
    }
    return body;
  }

  /** The stored id of the path's job (admin: as given); NOT_FOUND when it cannot name a job. */
  private static String jobId(RoutingContext ctx) {
    Principal who = ctx.get(HttpApi.PRINCIPAL);
    String id = PublicIds.job(who, ctx.pathParam("id"));
    if (id == null) {
      throw JobQueueException.notFound("job " + ctx.pathParam("id"));
    }
    SpanAttributes.putIf(RequestTracing.span(ctx), Attr.JOB_ID, id);
    return id;
  }
}
