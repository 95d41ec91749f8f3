package io.emp.jobqueue.gateway;

import io.emp.jobqueue.core.telemetry.SpanAttributes;
import io.emp.jobqueue.core.telemetry.Attr;
import io.emp.jobqueue.core.telemetry.EventName;
import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.model.JobIds;
import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.core.model.JobQueueException.Code;
import io.emp.jobqueue.core.model.JobSpec;
import io.emp.jobqueue.core.model.JobLimits;
import io.emp.jobqueue.core.model.Problem;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.core.model.ValidationException;
import io.emp.jobqueue.queue.QueueClient;
import io.emp.jobqueue.queue.store.SubmitResult;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Customer isolation and the submit preparation, shared by HTTP and WebSocket so both enforce
 * the same rules. A job that belongs to another customer is reported as not found: a client
 * cannot even learn that it exists.
 */
final class JobAccess {
  private final QueueClient queue;
  private final JobLimits limits;

  JobAccess(QueueClient queue, JobLimits limits) {
    this.queue = queue;
    this.limits = limits;
  }

  QueueClient queue() {
    return queue;
  }

  /**
   * The job as JSON (stored ids) when the caller may see it; NOT_FOUND otherwise. {@code storedId} is
   * already translated ({@link PublicIds#job}); the customer check stays as a second line of defence.
   */
  Future<JsonObject> owned(Principal who, String storedId, TraceContext trace) {
    if (storedId == null) {
      return Future.failedFuture(JobQueueException.notFound("job"));
    }
    JobQueueException missing = JobQueueException.notFound("job " + PublicIds.out(who, storedId));
    return queue.get(storedId, trace).recover(err -> Future.failedFuture(
        err instanceof JobQueueException e && e.code() == Code.NOT_FOUND ? missing : err)).map(job -> {
          if (!who.canAccess(job.getString(Job.F.CUSTOMER))) {
            throw missing;
          }
          return job;
        });
  }

  /** What a submit returned, plus the trace the job belongs to. */
  record Submitted(SubmitResult result, String traceId) {
    /** The answer, with the job id as {@code who} knows it. */
    JsonObject toJson(Principal who) {
      return new JsonObject().put("job_id", PublicIds.out(who, result.jobId())).put("status", result.status().wire())
          .put("priority_score", result.priorityScore()).put("estimated_position", result.estimatedPosition())
          .put("trace_id", traceId);
    }
  }

  /**
   * Validates (the one validation of a submit: the queue and the store take the {@link JobSpec} as
   * it is) against the node's limits, and submits. The customer is the caller's (a client naming another customer is
   * refused); the job id (given or generated) and the workflow id are scoped by customer
   * ({@link PublicIds}), and so is the idempotency key, so two customers never share one job.
   * Span events go to {@code span} (the request span, or an invalid span).
   */
  Future<Submitted> submit(Principal who, JsonObject body, String idempotencyKey, String requestId,
                           Span span, TraceContext trace) {
    span.addEvent(EventName.VALIDATION_STARTED);
    JobSpec spec;
    try {
      spec = prepare(who, body, idempotencyKey, requestId);
    } catch (RuntimeException e) {
      span.addEvent(EventName.VALIDATION_FAILED);
      return Future.failedFuture(e);
    }
    span.addEvent(EventName.VALIDATION_COMPLETED);
    span.setAttribute(Attr.JOB_SERVICE_REQUIRED, spec.serviceRequired());
    span.setAttribute(Attr.JOB_PRIORITY, (long) spec.priority());
    SpanAttributes.putIf(span, Attr.CUSTOMER_ID, spec.customerId());
    SpanAttributes.putIf(span, Attr.WORKFLOW_ID, spec.workflowId());
    SpanAttributes.putIf(span, Attr.CORRELATION_ID, spec.correlationId());
    SpanAttributes.putIf(span, Attr.CLIENT_SESSION_ID, spec.clientSessionId());
    span.addEvent(EventName.SUBMISSION_STARTED);
    return queue.submit(spec, trace).compose(r -> {
      span.addEvent(EventName.SUBMISSION_COMPLETED);
      span.setAttribute(Attr.JOB_ID, r.jobId());
      if (r.created()) {
        return Future.succeededFuture(new Submitted(r, trace.traceId()));
      }
      // An idempotent repeat: the job belongs to the trace of the submit that created it.
      return queue.get(r.jobId(), trace)
          .map(job -> new Submitted(r, TraceContext.from(job::getString).traceId()));
    });
  }

  /**
   * The one validation of a submit, single or batch: the job as the store takes it, or the failure
   * (VALIDATION listing every problem, FORBIDDEN for another customer). Changes {@code body}: the
   * customer, scoped ids and idempotency key, the request id are written into it.
   */
  JobSpec prepare(Principal who, JsonObject body, String idempotencyKey, String requestId) {
    if (body == null) {
      throw new JobQueueException(Code.VALIDATION, "a JSON object body is required");
    }
    String asked = str(body, "customer_id");
    if (!who.admin()) {
      if (asked != null && !asked.equals(who.customerId())) {
        throw new JobQueueException(Code.FORBIDDEN, "this key cannot submit jobs for another customer");
      }
      body.put("customer_id", who.customerId());
    }
    String owner = str(body, "customer_id");
    List<Problem> problems = new ArrayList<>();
    if (owner == null || JobIds.isName(owner, JobIds.MAX_CUSTOMER_ID)) {
      scope(body, "id", owner, JobIds.MAX_JOB_NAME, problems);
      scope(body, "workflow_id", owner, JobIds.MAX_WORKFLOW_NAME, problems);
    }
    String idem = idempotencyKey != null ? idempotencyKey : str(body, "idempotency_key");
    if (idem != null) {
      body.put("idempotency_key", (owner == null ? "" : owner) + "/" + idem);
    }
    if (requestId != null && !body.containsKey("request_id")) {
      body.put("request_id", requestId);
    }
    JobSpec spec;
    try {
      spec = JobSpec.fromJson(body, limits);
    } catch (ValidationException e) {
      problems.addAll(e.problems());
      throw new ValidationException(problems);
    }
    if (!problems.isEmpty()) {
      throw new ValidationException(problems);
    }
    return spec;
  }

  /**
   * A client-chosen id must be a name (no '~': that is the scope separator); the stored id is
   * {@code <owner>~<name>}, and a job of a customer without a chosen id gets {@code <owner>~<uuid>}.
   */
  private static void scope(JsonObject body, String field, String owner, int maxName, List<Problem> problems) {
    Object given = body.getValue(field);
    if (given != null && !(given instanceof String)) {
      return; // JobSpec reports the type
    }
    String name = (String) given;
    if (name != null && !JobIds.isName(name, maxName)) {
      problems.add(new Problem(field, "format", "may contain only letters, digits, '-', '_' and '.' (at most "
          + maxName + ")"));
      body.remove(field);
      return;
    }
    if (name != null || (owner != null && "id".equals(field))) {
      String stored = PublicIds.forSubmit(owner, name);
      if (stored != null) {
        body.put(field, stored);
      }
    }
  }

  private static String str(JsonObject body, String key) {
    return body.getValue(key) instanceof String s ? s : null;
  }
}
