package io.emp.jobqueue.queue;

import io.emp.jobqueue.core.telemetry.SpanAttributes;
import io.opentelemetry.api.trace.Span;
import io.emp.jobqueue.core.telemetry.Attr;
import io.emp.jobqueue.core.telemetry.EventName;
import io.emp.jobqueue.core.telemetry.SpanName;
import io.emp.jobqueue.core.model.JobSpec;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.core.telemetry.SamplingPolicy;
import io.emp.jobqueue.core.telemetry.TraceContexts;
import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.queue.store.SubmitResult;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.baggage.BaggageBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.emp.jobqueue.core.model.JobBatch;
import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.queue.store.SubmitOutcome;
import io.opentelemetry.api.trace.SpanBuilder;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/** The submit paths with their {@code redis.job.submit} spans; a span's context is what its job carries. */
public final class QueueService {
  private static final System.Logger LOG = System.getLogger(QueueService.class.getName());
  private final JobStore store;
  private final Tracer tracer;
  private final java.util.function.Function<String, String> tierOf;

  /** @param tierOf customer id -> configured tier (carried with the job as baggage customer.tier), or null */
  public QueueService(JobStore store, Tracer tracer, java.util.function.Function<String, String> tierOf) {
    this.store = store;
    this.tracer = tracer;
    this.tierOf = tierOf;
  }


  public JobStore store() {
    return store;
  }

  /** Stores {@code spec} (validated at the edge: a {@link JobSpec} cannot be invalid) under a submit span. */
  public Future<SubmitResult> submit(JobSpec spec, TraceContext parent) {
    Context parentCtx = TraceContexts.extract(parent);
    Traced t = start(spec, parentCtx, parent, null);
    return store.submit(t.spec()).onComplete(ar -> t.end(ar.result(), ar.cause()));
  }

  /**
   * Stores a batch in one store call ({@link JobStore#submitAll}), each job under a submit span of its
   * own trace: one trace per job, as for a single submit, and not one trace holding a thousand jobs.
   * Each job's trace starts at its submit span (a root, with the request's baggage) and links to
   * {@code request}, the span that carried the batch. A job the store refuses fails its own slot
   * only; the answer for a job that already existed names the trace of the submit that created it.
   */
  public Future<List<BatchItem>> submitAll(JobBatch batch, TraceContext request) {
    Context requestCtx = TraceContexts.extract(request);
    SpanContext link = Span.fromContext(requestCtx).getSpanContext();
    Context jobRoot = Baggage.fromContext(requestCtx).storeInContext(Context.root());
    List<Traced> traced = new ArrayList<>(batch.size());
    for (JobSpec spec : batch.specs()) {
      traced.add(start(spec, jobRoot, request, link));
    }
    return store.submitAll(traced.stream().map(Traced::spec).toList())
        .onFailure(err -> traced.forEach(t -> t.end(null, err)))
        .compose(outcomes -> {
          List<Future<BatchItem>> items = new ArrayList<>(outcomes.size());
          for (int i = 0; i < outcomes.size(); i++) {
            SubmitOutcome o = outcomes.get(i);
            Traced t = traced.get(i);
            t.end(o.result(), o.error());
            items.add(item(o, t.spec().trace()));
          }
          return Future.all(items).map(all -> all.<BatchItem>list());
        });
  }

  /** A repeat names the trace of the job that exists (one read, only for repeats). */
  private Future<BatchItem> item(SubmitOutcome o, TraceContext stored) {
    if (!o.succeeded()) {
      if (!(o.error() instanceof JobQueueException)) {
        LOG.log(System.Logger.Level.ERROR, "batch submit of one job failed", o.error());
      }
      return Future.succeededFuture(BatchItem.failed(o.error()));
    }
    SubmitResult r = o.result();
    if (r.created()) {
      return Future.succeededFuture(BatchItem.of(r, stored.traceId()));
    }
    return store.get(r.jobId()).map(job -> BatchItem.of(r, job.map(j -> j.trace().traceId()).orElse(null)))
        .otherwise(err -> BatchItem.of(r, null));
  }

  /** One job's submit span and the spec that carries the span's context to the store. */
  private record Traced(Span span, JobSpec spec) {
    void end(SubmitResult r, Throwable err) {
      if (r != null) {
        span.addEvent(EventName.REDIS_JOB_STORED);
        span.addEvent(EventName.REDIS_QUEUE_UPDATED);
        span.setAttribute(Attr.JOB_ID, r.jobId());
        span.setAttribute(Attr.QUEUE_PRIORITY_SCORE, r.priorityScore());
        span.setAttribute(Attr.QUEUE_ESTIMATED_POSITION, r.estimatedPosition());
        // each workflow step links to the earlier steps' submit spans (their own traces)
        r.earlierSteps().values().forEach(step -> {
          SpanContext earlier = Span.fromContext(TraceContexts.extract(step)).getSpanContext();
          if (earlier.isValid()) {
            span.addLink(earlier);
          }
        });
      } else {
        span.recordException(err);
        span.setStatus(StatusCode.ERROR, err.getMessage());
      }
      span.end();
    }
  }

  /**
   * Starts the {@code redis.job.submit} span of {@code spec} under {@code parentCtx}, linked to
   * {@code link} when given (a batch job's root span, pointing at the request that carried it).
   */
  private Traced start(JobSpec spec, Context parentCtx, TraceContext parent, SpanContext link) {
    SpanBuilder b = SpanAttributes.redisQueue(tracer.spanBuilder(SpanName.REDIS_SUBMIT).setParent(parentCtx)
            .setSpanKind(SpanKind.PRODUCER), "send", "send", spec.serviceRequired())
        .setAttribute(Attr.REDIS_OPERATION, "EVALSHA submit.lua (HSET + ZADD + XADD)")
        .setAttribute(Attr.REDIS_KEY_PATTERN, store.shards().pattern(k -> k.job("{job_id}")))
        .setAttribute(Attr.REDIS_QUEUE, store.shards().pattern(k -> k.pending(spec.serviceRequired())))
        .setAttribute(Attr.JOB_SERVICE_REQUIRED, spec.serviceRequired())
        .setAttribute(Attr.JOB_PRIORITY, (long) spec.priority())
        .setAttribute(Attr.JOB_PAYLOAD_SIZE, (long) spec.payloadBytes());
    if (link != null && link.isValid()) {
      b.addLink(link);
    }
    Span span = b.startSpan();
    if (spec.id() != null) {
      span.setAttribute(Attr.JOB_ID, spec.id());
    }
    SpanAttributes.putIf(span, Attr.CUSTOMER_ID, spec.customerId());
    SpanAttributes.putIf(span, Attr.WORKFLOW_ID, spec.workflowId());
    SpanAttributes.putIf(span, Attr.CORRELATION_ID, spec.correlationId());
    SpanAttributes.putIf(span, Attr.REQUEST_ID, spec.requestId());
    // The business keys ride as baggage with the job, so every span of it on every node carries them
    // (CorrelationProcessor); the caller's own baggage (e.g. customer.tier) is kept.
    TraceContext stored = TraceContexts.inject(correlated(parentCtx, spec).with(span));
    span.setAttribute(Attr.TRACE_CONTEXT_STORED, stored.isPresent());
    if (parent != null && parent.traceId() != null) {
      span.setAttribute(Attr.TRACE_PARENT_ID, parent.traceId());
    }
    span.addEvent(EventName.REDIS_JOB_SERIALIZED);
    return new Traced(span, spec.withTrace(stored.isPresent() ? stored : spec.trace()));
  }

  private Context correlated(Context ctx, JobSpec spec) {
    String tier = tierOf.apply(spec.customerId());
    if (spec.workflowId() == null && spec.correlationId() == null && spec.requestId() == null && tier == null) {
      return ctx;
    }
    BaggageBuilder b = Baggage.fromContext(ctx).toBuilder();
    if (tier != null) {
      b.put(SamplingPolicy.TIER_BAGGAGE_KEY, tier);
    }
    if (spec.workflowId() != null) {
      b.put(Attr.WORKFLOW_ID, spec.workflowId());
    }
    if (spec.correlationId() != null) {
      b.put(Attr.CORRELATION_ID, spec.correlationId());
    }
    if (spec.requestId() != null) {
      b.put(Attr.REQUEST_ID, spec.requestId());
    }
    return b.build().storeInContext(ctx);
  }

}
