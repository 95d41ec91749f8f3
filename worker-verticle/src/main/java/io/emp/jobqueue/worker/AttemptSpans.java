package io.emp.jobqueue.worker;

import io.emp.jobqueue.core.telemetry.SpanAttributes;
import io.emp.jobqueue.core.telemetry.Attr;
import io.emp.jobqueue.core.telemetry.SpanName;
import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.model.SecretRedactor;
import io.emp.jobqueue.worker.spi.Connector;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.util.Locale;

/**
 * The spans of one attempt: job.processing, its stage spans and external_service.call, with the seed
 * attributes, so that {@link JobRunner} reads as the attempt's control flow.
 */
final class AttemptSpans {
  private final Tracer tracer;
  private final Job job;
  private final WorkerConfig cfg;
  private final Connector connector;
  private final SecretRedactor redactor;
  private Span processing;
  private long processingStartNanos;

  AttemptSpans(Tracer tracer, Job job, WorkerConfig cfg, Connector connector, SecretRedactor redactor) {
    this.tracer = tracer;
    this.job = job;
    this.cfg = cfg;
    this.connector = connector;
    this.redactor = redactor;
  }

  Tracer tracer() {
    return tracer;
  }

  Span processing() {
    return processing;
  }

  /** Starts job.processing under the claim span; answers its context. */
  Context startProcessing(Context claimCtx, Attributes constants, long startedAt) {
    Span s = tracer.spanBuilder(SpanName.JOB_PROCESSING).setParent(claimCtx).setSpanKind(SpanKind.INTERNAL)
        .setAllAttributes(constants)
        .setAttribute(Attr.JOB_ID, job.id())
        .setAttribute(Attr.JOB_TYPE, job.serviceRequired())
        .setAttribute(Attr.JOB_SERVICE_REQUIRED, job.serviceRequired())
        .setAttribute(Attr.JOB_PAYLOAD_SIZE, (long) job.payloadBytes())
        .setAttribute(Attr.JOB_RETRY_COUNT, (long) job.retryCount())
        .setAttribute(Attr.JOB_ATTEMPT, (long) job.attempt())
        .setAttribute(Attr.PROCESSING_START_TIME, startedAt)
        .setAttribute(Attr.PROCESSING_STATUS, "started")
        .startSpan();
    processingStartNanos = System.nanoTime();
    Long estimate = connector.estimatedDurationMs(job);
    if (estimate != null) {
      s.setAttribute(Attr.PROCESSING_ESTIMATED_DURATION_MS, estimate);
    }
    SpanAttributes.putIf(s, Attr.CUSTOMER_ID, job.customerId());
    SpanAttributes.putIf(s, Attr.WORKFLOW_ID, job.workflowId());
    SpanAttributes.putIf(s, Attr.CORRELATION_ID, job.correlationId());
    putExternal(s, connector.externalService());
    processing = s;
    return claimCtx.with(s);
  }

  /** A stage span (job.preprocessing, job.postprocessing) under {@code parent}. */
  Span stage(String name, Context parent) {
    return tracer.spanBuilder(name).setParent(parent).startSpan();
  }

  /** The external_service.call span of the connector's work under {@code parent}. */
  Span external(Context parent) {
    Span s = tracer.spanBuilder(SpanName.EXTERNAL_CALL).setParent(parent).setSpanKind(SpanKind.CLIENT)
        .setAttribute(Attr.WORKER_CONNECTOR_TYPE, connector.type()).startSpan();
    putExternal(s, connector.externalService());
    return s;
  }

  /** Ends a stage or external span, recording {@code err} (redacted) when it failed. */
  void end(Span s, Throwable err) {
    if (err != null) {
      WorkerSpans.recordException(s, err, redactor);
      WorkerSpans.errorStatus(s, err, redactor);
    }
    s.end();
  }

  /**
   * Ends job.processing. Its actual duration is measured from the span's own start on the monotonic
   * clock, so it never exceeds the span's duration (a pause before the span started is not counted).
   */
  void endProcessing(AttemptEnd end, WorkerMetrics.SlaFact sla) {
    if (sla != null) {
      processing.setAttribute(Attr.SLA_TIER, sla.tier());
      processing.setAttribute(Attr.SLA_PROMISED_MS, sla.promisedMs());
      processing.setAttribute(Attr.SLA_ACTUAL_MS, sla.actualMs());
      processing.setAttribute(Attr.SLA_MET, sla.met());
    }
    processing.setAttribute(Attr.PROCESSING_ACTUAL_DURATION_MS, (System.nanoTime() - processingStartNanos) / 1_000_000);
    processing.setAttribute(Attr.PROCESSING_STATUS, switch (end) {
      case COMPLETED -> "completed";
      case RETRY_SCHEDULED, FAILED, STORE_ERROR -> "failed";
      case CANCELLED -> "cancelled";
      case RELEASED -> "released";
      case LEASE_LOST -> "abandoned";
    });
    String name = end.name().toLowerCase(Locale.ROOT);
    processing.setAttribute(Attr.WORKER_ATTEMPT_END, name);
    if (end != AttemptEnd.COMPLETED && end != AttemptEnd.RELEASED) {
      processing.setStatus(StatusCode.ERROR, name);
    }
    processing.end();
  }

  private static void putExternal(Span s, Connector.ExternalService ext) {
    if (ext == null) {
      return;
    }
    SpanAttributes.putIf(s, Attr.EXTERNAL_SERVICE_NAME, ext.name());
    SpanAttributes.putIf(s, Attr.EXTERNAL_SERVICE_ENDPOINT, ext.endpoint());
    SpanAttributes.putIf(s, Attr.EXTERNAL_SERVICE_VERSION, ext.version());
  }

}
