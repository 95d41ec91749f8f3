package io.emp.jobqueue.gateway;

import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.core.model.JobQueueException.Code;
import io.emp.jobqueue.core.model.JobSpec;
import io.emp.jobqueue.core.model.JobLimits;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.core.telemetry.Seed.Attr;
import io.emp.jobqueue.core.telemetry.Seed.Event;
import io.emp.jobqueue.queue.QueueClient;
import io.emp.jobqueue.queue.store.SubmitResult;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

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

  /** The job as JSON when the caller may see it; NOT_FOUND otherwise. */
  Future<JsonObject> owned(Principal who, String jobId, TraceContext trace) {
    if (jobId == null || jobId.isEmpty() || jobId.length() > 128) {
      return Future.failedFuture(JobQueueException.notFound("job"));
    }
    return queue.get(jobId, trace).map(job -> {
      if (!who.canAccess(job.getString(Job.F.CUSTOMER))) {
        throw JobQueueException.notFound("job " + jobId);
      }
      return job;
    });
  }

  /** What a submit returned, plus the trace the job belongs to. */
  record Submitted(SubmitResult result, String traceId) {
    JsonObject toJson() {
      return new JsonObject().put("job_id", result.jobId()).put("status", result.status().wire())
          .put("priority_score", result.priorityScore()).put("estimated_position", result.estimatedPosition())
          .put("trace_id", traceId);
    }
  }

  /**
   * Validates and submits. The customer is the caller's (a client naming another customer is
   * refused); the idempotency key is scoped by customer so two customers never share one job.
   * Span events go to {@code span} (the request span, or an invalid span).
   */
  Future<Submitted> submit(Principal who, JsonObject body, String idempotencyKey, String requestId,
                           Span span, TraceContext trace) {
    span.addEvent(Event.VALIDATION_STARTED);
    JobSpec spec;
    try {
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
      String idem = idempotencyKey != null ? idempotencyKey : str(body, "idempotency_key");
      if (idem != null) {
        String owner = str(body, "customer_id");
        body.put("idempotency_key", (owner == null ? "" : owner) + "/" + idem);
      }
      if (requestId != null && !body.containsKey("request_id")) {
        body.put("request_id", requestId);
      }
      spec = JobSpec.fromJson(body, limits);
    } catch (RuntimeException e) {
      span.addEvent(Event.VALIDATION_FAILED);
      return Future.failedFuture(e);
    }
    span.addEvent(Event.VALIDATION_COMPLETED);
    span.setAttribute(Attr.JOB_SERVICE_REQUIRED, spec.serviceRequired());
    span.setAttribute(Attr.JOB_PRIORITY, (long) spec.priority());
    RequestTracing.putIf(span, Attr.CUSTOMER_ID, spec.customerId());
    RequestTracing.putIf(span, Attr.WORKFLOW_ID, spec.workflowId());
    RequestTracing.putIf(span, Attr.CORRELATION_ID, spec.correlationId());
    RequestTracing.putIf(span, Attr.CLIENT_SESSION_ID, spec.clientSessionId());
    span.addEvent(Event.SUBMISSION_STARTED);
    return queue.submit(body, trace).compose(r -> {
      span.addEvent(Event.SUBMISSION_COMPLETED);
      span.setAttribute(Attr.JOB_ID, r.jobId());
      if (r.created()) {
        return Future.succeededFuture(new Submitted(r, trace.traceId()));
      }
      // An idempotent repeat: the job belongs to the trace of the submit that created it.
      return queue.get(r.jobId(), trace)
          .map(job -> new Submitted(r, TraceContext.from(job::getString).traceId()));
    });
  }

  private static String str(JsonObject body, String key) {
    return body.getValue(key) instanceof String s ? s : null;
  }
}
