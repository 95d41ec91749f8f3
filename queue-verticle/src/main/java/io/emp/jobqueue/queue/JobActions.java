package io.emp.jobqueue.queue;

import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.core.model.JobQueueException.Code;
import io.emp.jobqueue.core.model.JobStatus;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.core.telemetry.Seed.Attr;
import io.emp.jobqueue.core.telemetry.Seed.Span;
import io.emp.jobqueue.core.telemetry.TraceContexts;
import io.emp.jobqueue.queue.store.JobStore;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Operator actions on jobs (issue 11): retry, bulk retry, promote now, delete. Each state change is
 * one script of the store; this class adds the retry span (a new trace linked to the previous run's)
 * and the audit log line. Who asked ({@code by}) is in each job's audit event.
 */
final class JobActions {
  private static final System.Logger LOG = System.getLogger(JobActions.class.getName());
  /** Retries a bulk retry runs at once: enough to finish 10 000 in seconds without crowding Redis. */
  static final int BULK_CONCURRENCY = 32;
  static final int BULK_DEFAULT_LIMIT = 1_000;
  static final int BULK_MAX_LIMIT = 10_000;
  /** Ids a bulk answer lists. */
  static final int BULK_IDS_SHOWN = 100;

  private final JobStore store;
  private final Tracer tracer;

  JobActions(JobStore store, Tracer tracer) {
    this.store = store;
    this.tracer = tracer;
  }

  /** {job_id, status: pending, attempt, trace_id, previous_trace_id}; the retry span is a child of {@code parent}. */
  Future<JsonObject> retry(String jobId, String by, TraceContext parent) {
    return retry(jobId, by, TraceContexts.extract(parent), null);
  }

  /**
   * @param parent the retry span's parent (Context.root() for a bulk retry: each job gets its own trace)
   * @param bulk the bulk request's span, linked from each job's retry span; null for a single retry
   */
  private Future<JsonObject> retry(String jobId, String by, Context parent, SpanContext bulk) {
    var b = tracer.spanBuilder(Span.REDIS_RETRY).setParent(parent).setSpanKind(SpanKind.PRODUCER)
        .setAttribute(Attr.JOB_ID, jobId)
        .setAttribute(Attr.REDIS_OPERATION, "EVALSHA retry.lua (HSET + ZADD + XADD)")
        .setAttribute(Attr.DB_SYSTEM, "redis")
        .setAttribute(Attr.DB_SYSTEM_NAME, "redis")
        .setAttribute(Attr.DB_OPERATION_NAME, "EVALSHA");
    if (bulk != null && bulk.isValid()) {
      b.addLink(bulk);
    }
    io.opentelemetry.api.trace.Span span = b.startSpan();
    // only the span: the job keeps its own baggage (tier, workflow), not the caller's
    TraceContext next = TraceContexts.inject(Context.root().with(span));
    return store.retry(jobId, by, next).map(r -> {
      TraceContext previous = TraceContext.of(r.previousTraceparent().isEmpty() ? null : r.previousTraceparent());
      SpanContext prev = io.opentelemetry.api.trace.Span.fromContext(TraceContexts.extract(previous)).getSpanContext();
      if (prev.isValid()) {
        span.addLink(prev);
        span.setAttribute(Attr.JOB_PREVIOUS_TRACE_ID, prev.getTraceId());
      }
      span.end();
      LOG.log(System.Logger.Level.INFO, "audit: job '" + jobId + "' retried by " + by);
      return new JsonObject().put("job_id", jobId).put("status", JobStatus.PENDING.wire()).put("attempt", 0)
          .put("previous_attempts", r.previousAttempts()).put("trace_id", span.getSpanContext().getTraceId())
          .put("previous_trace_id", prev.isValid() ? prev.getTraceId() : null);
    }).onFailure(err -> {
      span.recordException(err);
      span.setStatus(StatusCode.ERROR, err.getMessage());
      span.end();
    });
  }

  /**
   * Bulk retry: {status (failed|cancelled), service, error_type, finished_after, finished_before, limit,
   * dry_run} -> {matched, retried, dry_run, job_ids (first 100)}. A job that changed in between (retried
   * by someone else) is not counted as retried.
   */
  Future<JsonObject> retryMatching(JsonObject q, String by, TraceContext parent) {
    JobStatus status;
    try {
      status = JobStatus.fromWire(q.getString("status", JobStatus.FAILED.wire()));
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new JobQueueException(Code.VALIDATION, "status must be failed or cancelled"));
    }
    int limit = q.getInteger("limit", BULK_DEFAULT_LIMIT);
    if (limit < 1 || limit > BULK_MAX_LIMIT) {
      return Future.failedFuture(new JobQueueException(Code.VALIDATION,
          "limit must be within 1.." + BULK_MAX_LIMIT));
    }
    boolean dryRun = q.getBoolean("dry_run", false);
    SpanContext request = io.opentelemetry.api.trace.Span.fromContext(TraceContexts.extract(parent)).getSpanContext();
    return store.selectForRetry(status, q.getString("service"), q.getString("error_type"),
        q.getLong("finished_after"), q.getLong("finished_before"), limit).compose(ids -> {
          JsonObject answer = new JsonObject().put("matched", ids.size()).put("dry_run", dryRun)
              .put("job_ids", new JsonArray(new ArrayList<>(ids.subList(0, Math.min(BULK_IDS_SHOWN, ids.size())))));
          if (dryRun) {
            return Future.succeededFuture(answer.put("retried", 0));
          }
          LOG.log(System.Logger.Level.INFO, "audit: bulk retry of " + ids.size() + " " + status.wire()
              + " jobs by " + by);
          AtomicInteger retried = new AtomicInteger();
          return inChunks(ids, id -> retry(id, by, Context.root(), request)
              .onSuccess(r -> retried.incrementAndGet()).<Void>mapEmpty().otherwiseEmpty())
              .map(v -> answer.put("retried", retried.get()));
        });
  }

  private static Future<Void> inChunks(List<String> ids, java.util.function.Function<String, Future<Void>> each) {
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < ids.size(); i += BULK_CONCURRENCY) {
      List<String> chunk = ids.subList(i, Math.min(ids.size(), i + BULK_CONCURRENCY));
      chain = chain.compose(v -> Future.all(chunk.stream().map(each).toList()).mapEmpty());
    }
    return chain;
  }

  /** {job_id, status: pending}; CONFLICT unless the job is delayed. */
  Future<JsonObject> promote(String jobId, String by, TraceContext trace) {
    return store.promoteNow(jobId, by, trace.traceparent()).map(v -> {
      LOG.log(System.Logger.Level.INFO, "audit: job '" + jobId + "' promoted by " + by);
      return new JsonObject().put("job_id", jobId).put("status", JobStatus.PENDING.wire());
    });
  }

  /** {job_id, deleted: true}; CONFLICT unless the job is completed, failed or cancelled. */
  Future<JsonObject> delete(String jobId, String by, TraceContext trace) {
    return store.delete(jobId, by, trace.traceparent()).map(v -> {
      LOG.log(System.Logger.Level.INFO, "audit: job '" + jobId + "' deleted by " + by);
      return new JsonObject().put("job_id", jobId).put("deleted", true);
    });
  }
}
