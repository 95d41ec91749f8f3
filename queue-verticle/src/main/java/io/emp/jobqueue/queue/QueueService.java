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
import io.vertx.core.Future;

/** The submit path with its {@code redis.job.submit} span; the span's context is what the job carries. */
public final class QueueService {
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
    Span span = SpanAttributes.redisQueue(tracer.spanBuilder(SpanName.REDIS_SUBMIT).setParent(parentCtx)
            .setSpanKind(SpanKind.PRODUCER), "send", "send", spec.serviceRequired())
        .setAttribute(Attr.REDIS_OPERATION, "EVALSHA submit.lua (HSET + ZADD + XADD)")
        .setAttribute(Attr.REDIS_KEY_PATTERN, store.keys().job("{job_id}"))
        .setAttribute(Attr.REDIS_QUEUE, store.keys().pending(spec.serviceRequired()))
        .setAttribute(Attr.JOB_SERVICE_REQUIRED, spec.serviceRequired())
        .setAttribute(Attr.JOB_PRIORITY, (long) spec.priority())
        .setAttribute(Attr.JOB_PAYLOAD_SIZE, (long) spec.payloadBytes())
        .startSpan();
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
    return store.submit(spec.withTrace(stored.isPresent() ? stored : spec.trace()))
        .onSuccess(r -> {
          span.addEvent(EventName.REDIS_JOB_STORED);
          span.addEvent(EventName.REDIS_QUEUE_UPDATED);
          span.setAttribute(Attr.JOB_ID, r.jobId());
          span.setAttribute(Attr.QUEUE_PRIORITY_SCORE, r.priorityScore());
          span.setAttribute(Attr.QUEUE_ESTIMATED_POSITION, r.estimatedPosition());
          // each workflow step links to the earlier steps' submit spans (their own traces)
          r.earlierSteps().values().forEach(step -> {
            SpanContext earlier = Span.fromContext(
                TraceContexts.extract(step)).getSpanContext();
            if (earlier.isValid()) {
              span.addLink(earlier);
            }
          });
          span.end();
        })
        .onFailure(err -> {
          span.recordException(err);
          span.setStatus(StatusCode.ERROR, err.getMessage());
          span.end();
        });
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
