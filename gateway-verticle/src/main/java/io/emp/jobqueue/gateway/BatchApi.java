package io.emp.jobqueue.gateway;

import io.emp.jobqueue.core.model.JobBatch;
import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.core.model.JobQueueException.Code;
import io.emp.jobqueue.core.model.JobSpec;
import io.emp.jobqueue.core.model.Problem;
import io.emp.jobqueue.core.model.ValidationException;
import io.emp.jobqueue.core.telemetry.Attr;
import io.emp.jobqueue.core.telemetry.EventName;
import io.emp.jobqueue.queue.BatchItem;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * POST /api/jobs/batch: many jobs in one request, each validated like the body of POST /api/jobs
 * ({@link JobAccess#prepare}) and answered in its own slot, so one bad job does not refuse the others.
 * The valid ones cross the bus as one message and reach Redis in one pipelined round trip.
 */
final class BatchApi {
  private final JobAccess access;
  private final GatewayConfig cfg;
  private final ServiceCoverage coverage;
  private final HttpApi api;

  BatchApi(JobAccess access, GatewayConfig cfg, ServiceCoverage coverage, HttpApi api) {
    this.access = access;
    this.cfg = cfg;
    this.coverage = coverage;
    this.api = api;
  }

  void submit(RoutingContext ctx) {
    Span span = RequestTracing.span(ctx);
    span.setAttribute(Attr.HTTP_REQUEST_BODY_SIZE, (long) Math.max(0, ctx.body().length()));
    span.addEvent(EventName.VALIDATION_STARTED);
    JsonArray jobs;
    try {
      jobs = jobsOf(RequestParams.jsonObjectBody(ctx), ctx.request().getHeader("Idempotency-Key"));
    } catch (RuntimeException e) {
      span.addEvent(EventName.VALIDATION_FAILED);
      api.fail(ctx, e);
      return;
    }
    span.setAttribute(Attr.JOB_BATCH_SIZE, (long) jobs.size());
    Principal who = ctx.get(HttpApi.PRINCIPAL);
    JsonObject[] slots = new JsonObject[jobs.size()];
    List<JobSpec> valid = new ArrayList<>(jobs.size());
    List<Integer> validAt = new ArrayList<>(jobs.size());
    String requestId = RequestTracing.requestId(ctx);
    for (int i = 0; i < jobs.size(); i++) {
      try {
        if (!(jobs.getValue(i) instanceof JsonObject job)) {
          throw new ValidationException(List.of(new Problem("jobs[" + i + "]", "type",
              "each job must be a JSON object")));
        }
        // the body's own idempotency_key is the job's key, scoped by customer like the single submit's header
        valid.add(access.prepare(who, job, null, requestId));
        validAt.add(i);
      } catch (RuntimeException e) {
        slots[i] = refused(who, i, e);
      }
    }
    span.addEvent(validAt.size() == jobs.size() ? EventName.VALIDATION_COMPLETED : EventName.VALIDATION_FAILED);
    if (valid.isEmpty()) {
      answer(ctx, slots);
      return;
    }
    span.addEvent(EventName.SUBMISSION_STARTED);
    access.queue().submitAll(new JobBatch(valid), RequestTracing.traceContext(ctx)).onSuccess(items -> {
      span.addEvent(EventName.SUBMISSION_COMPLETED);
      for (int k = 0; k < items.size(); k++) {
        int i = validAt.get(k);
        BatchItem item = items.get(k);
        if (!item.succeeded()) {
          slots[i] = refused(who, i, item.error());
          continue;
        }
        JsonObject slot = new JobAccess.Submitted(item.result(), item.traceId()).toJson(who).put("index", i)
            .put("created", item.result().created());
        JsonArray warnings = coverage.warnings(valid.get(k).serviceRequired());
        if (!warnings.isEmpty()) {
          slot.put("warnings", warnings);
        }
        slots[i] = slot;
      }
      answer(ctx, slots);
    }).onFailure(err -> api.fail(ctx, err));
  }

  /** The body's jobs, or why the whole request is refused (no jobs: 400; more than the limit: 413). */
  private JsonArray jobsOf(JsonObject body, String idempotencyHeader) {
    List<Problem> problems = new ArrayList<>();
    if (idempotencyHeader != null) {
      problems.add(new Problem("Idempotency-Key", "unsupported",
          "a batch has no key of its own: give each job its idempotency_key"));
    }
    Object jobs = body == null ? null : body.getValue("jobs");
    if (!(jobs instanceof JsonArray arr) || arr.isEmpty()) {
      problems.add(new Problem("jobs", "required", "a non-empty array of jobs, each as the body of POST /api/jobs"));
    }
    if (body != null) {
      body.fieldNames().stream().filter(f -> !"jobs".equals(f)).sorted()
          .forEach(f -> problems.add(new Problem(f, "unknown_field", "is not a field of a batch (only jobs)")));
    }
    if (!problems.isEmpty()) {
      throw new ValidationException(problems);
    }
    JsonArray arr = (JsonArray) jobs;
    if (arr.size() > cfg.batchMaxJobs()) {
      throw new JobQueueException(Code.PAYLOAD_TOO_LARGE, "a batch carries at most " + cfg.batchMaxJobs()
          + " jobs (gateway.batch_max_jobs); this one has " + arr.size());
    }
    return arr;
  }

  /** A refused job's slot: the error as a single submit would answer it (ApiErrors), with its index. */
  private static JsonObject refused(Principal who, int index, Throwable err) {
    return ApiErrors.body(ApiErrors.classify(PublicIds.failure(who, err))).put("index", index);
  }

  private static void answer(RoutingContext ctx, JsonObject[] slots) {
    int created = 0;
    int existing = 0;
    int rejected = 0;
    JsonArray results = new JsonArray(new ArrayList<>(slots.length));
    for (JsonObject s : slots) {
      if (s.containsKey("error")) {
        rejected++;
      } else if (s.getBoolean("created")) {
        created++;
      } else {
        existing++;
      }
      results.add(s);
    }
    HttpApi.json(ctx, 200, new JsonObject().put("results", results).put("created", created).put("existing", existing)
        .put("rejected", rejected));
  }
}
