package io.emp.jobqueue.queue;

import io.emp.jobqueue.queue.store.OperatorActions;
import io.emp.jobqueue.core.telemetry.SpanAttributes;
import io.opentelemetry.api.trace.Span;
import io.emp.jobqueue.core.telemetry.Attr;
import io.emp.jobqueue.core.telemetry.SpanName;
import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.core.model.JobQueueException.Code;
import io.emp.jobqueue.core.model.JobStatus;
import io.emp.jobqueue.core.model.TraceContext;
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
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Operator actions on jobs (issue 11): retry, bulk retry, promote now, delete. Each state change is
 * one script of the store; this class adds the retry span (a new trace linked to the previous run's)
 * and the audit log line. Who asked ({@code by}) is in each job's audit event.
 */
final class JobActions {
  private static final System.Logger LOG = System.getLogger(JobActions.class.getName());
  /** Jobs one retry.lua call of a bulk retry takes: short enough not to hold Redis up for long. */
  static final int BULK_BATCH = 100;
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
    Started st = start(jobId, TraceContexts.extract(parent), null);
    return store.operator().retry(jobId, by, st.next()).transform(ar -> {
      try {
        return Future.succeededFuture(finish(st, ar, by, true));
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    });
  }

  /** A retry span started, and the trace context the job's new run will carry. */
  private record Started(String jobId, Span span, TraceContext next) {
  }

  /**
   * @param parent the retry span's parent (Context.root() for a bulk retry: each job gets its own trace)
   * @param bulk the bulk request's span, linked from each job's retry span; null for a single retry
   */
  private Started start(String jobId, Context parent, SpanContext bulk) {
    var b = SpanAttributes.redisScript(tracer.spanBuilder(SpanName.REDIS_RETRY).setParent(parent)
            .setSpanKind(SpanKind.PRODUCER))
        .setAttribute(Attr.JOB_ID, jobId)
        .setAttribute(Attr.REDIS_OPERATION, "EVALSHA retry.lua (HSET + ZADD + XADD)");
    if (bulk != null && bulk.isValid()) {
      b.addLink(bulk);
    }
    Span span = b.startSpan();
    // only the span: the job keeps its own baggage (tier, workflow), not the caller's
    return new Started(jobId, span, TraceContexts.inject(Context.root().with(span)));
  }

  /** Links the span to the previous run's trace and ends it; the answer, or the job's failure rethrown. */
  private static JsonObject finish(Started st, io.vertx.core.AsyncResult<OperatorActions.Retried> ar, String by,
                                   boolean log) {
    Span span = st.span();
    if (ar.failed()) {
      span.recordException(ar.cause());
      span.setStatus(StatusCode.ERROR, ar.cause().getMessage());
      span.end();
      throw ar.cause() instanceof RuntimeException re ? re : new IllegalStateException(ar.cause());
    }
    OperatorActions.Retried r = ar.result();
    SpanContext prev = Span.fromContext(TraceContexts.extract(r.previous())).getSpanContext();
    if (prev.isValid()) {
      span.addLink(prev);
      span.setAttribute(Attr.JOB_PREVIOUS_TRACE_ID, prev.getTraceId());
    }
    span.end();
    if (log) {
      // a bulk retry logs one line for all its jobs; each job's own audit is its job_retried event
      LOG.log(System.Logger.Level.INFO, "audit: job '" + st.jobId() + "' retried by " + by);
    }
    return new JsonObject().put("job_id", st.jobId()).put("status", JobStatus.PENDING.wire()).put("attempt", 0)
        .put("previous_attempts", r.previousAttempts()).put("trace_id", span.getSpanContext().getTraceId())
        .put("previous_trace_id", prev.isValid() ? prev.getTraceId() : null);
  }

  /** One script call retries a batch of a bulk retry; each job keeps its own span and trace. */
  private Future<Integer> retryBatch(List<String> ids, String by, SpanContext request) {
    List<Started> started = ids.stream().map(id -> start(id, Context.root(), request)).toList();
    return store.operator().retryAll(started.stream().map(st -> Map.entry(st.jobId(), st.next())).toList(), by)
        .map(outcomes -> {
          int ok = 0;
          for (int i = 0; i < started.size(); i++) {
            try {
              finish(started.get(i), outcomes.get(i), by, false);
              ok++;
            } catch (RuntimeException skipped) {
              // changed in between (retried, deleted by someone else): not counted, not fatal
            }
          }
          return ok;
        })
        .onFailure(err -> started.forEach(st -> {
          st.span().recordException(err);
          st.span().setStatus(StatusCode.ERROR, err.getMessage());
          st.span().end();
        }));
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
    SpanContext request = Span.fromContext(TraceContexts.extract(parent)).getSpanContext();
    return store.operator().selectForRetry(status, q.getString("service"), q.getString("error_type"),
        q.getLong("finished_after"), q.getLong("finished_before"), limit).compose(ids -> {
          JsonObject answer = new JsonObject().put("matched", ids.size()).put("dry_run", dryRun)
              .put("job_ids", new JsonArray(new ArrayList<>(ids.subList(0, Math.min(BULK_IDS_SHOWN, ids.size())))));
          if (dryRun) {
            return Future.succeededFuture(answer.put("retried", 0));
          }
          LOG.log(System.Logger.Level.INFO, "audit: bulk retry of " + ids.size() + " " + status.wire()
              + " jobs by " + by);
          AtomicInteger retried = new AtomicInteger();
          Future<Void> chain = Future.succeededFuture();
          for (int i = 0; i < ids.size(); i += BULK_BATCH) {
            List<String> batch = ids.subList(i, Math.min(ids.size(), i + BULK_BATCH));
            chain = chain.compose(v -> retryBatch(batch, by, request).map(n -> {
              retried.addAndGet(n);
              return (Void) null;
            }));
          }
          return chain.map(v -> answer.put("retried", retried.get()));
        });
  }

  /** {job_id, status: pending}; CONFLICT unless the job is delayed. */
  Future<JsonObject> promote(String jobId, String by, TraceContext trace) {
    return store.operator().promoteNow(jobId, by, trace).map(v -> {
      LOG.log(System.Logger.Level.INFO, "audit: job '" + jobId + "' promoted by " + by);
      return new JsonObject().put("job_id", jobId).put("status", JobStatus.PENDING.wire());
    });
  }

  /** {job_id, deleted: true}; CONFLICT unless the job is completed, failed or cancelled. */
  Future<JsonObject> delete(String jobId, String by, TraceContext trace) {
    return store.operator().delete(jobId, by, trace).map(v -> {
      LOG.log(System.Logger.Level.INFO, "audit: job '" + jobId + "' deleted by " + by);
      return new JsonObject().put("job_id", jobId).put("deleted", true);
    });
  }
}
