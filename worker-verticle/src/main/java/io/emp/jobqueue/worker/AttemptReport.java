package io.emp.jobqueue.worker;

import io.emp.jobqueue.core.model.Failure;
import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.model.LeaseLostException;
import io.emp.jobqueue.core.telemetry.SamplingPolicy;
import io.emp.jobqueue.queue.store.ClaimedJob;
import io.emp.jobqueue.worker.spi.Connector;

/** How an attempt ended, told to the metrics and to the node's tail sampler. */
final class AttemptReport {
  private final WorkerSpans spans;
  private final ClaimedJob claimed;
  private final Job job;
  private final Connector connector;
  private final long runStartNanos;

  AttemptReport(WorkerSpans spans, ClaimedJob claimed, Connector connector, long runStartNanos) {
    this.spans = spans;
    this.claimed = claimed;
    this.job = claimed.job();
    this.connector = connector;
    this.runStartNanos = runStartNanos;
  }

  /**
   * The SLA check when the job reached its final outcome in this attempt: completed (Redis clock,
   * submit to complete) or failed for good (claim time on the Redis clock plus the attempt's
   * monotonic duration). Null for an attempt that is not the job's last.
   */
  WorkerMetrics.SlaFact sla(AttemptEnd end, long completedAt) {
    if (end == AttemptEnd.COMPLETED) {
      return spans.metrics().sla(job, completedAt - job.createdAt(), true);
    }
    if (end == AttemptEnd.FAILED) {
      long endedAt = claimed.claimedAt() + (System.nanoTime() - runStartNanos) / 1_000_000;
      return spans.metrics().sla(job, endedAt - job.createdAt(), false);
    }
    return null;
  }

  /**
   * Tells the tail sampler how the attempt ended, so the spans it buffered for the job's trace are
   * kept or dropped (only a clean first-attempt completion can be dropped; docs/telemetry.md), then
   * records the attempt's metrics, with the trace as exemplar when it is kept.
   */
  void ended(AttemptEnd end, long completedAt, WorkerMetrics.SlaFact sla, String processingSpanId) {
    boolean clean = end == AttemptEnd.COMPLETED;
    long finished = clean ? completedAt : System.currentTimeMillis();
    boolean kept = spans.sampler().decide(job.trace().traceId(), SamplingPolicy.jobOutcome(!clean, job.attempt(),
        job.createdAt(), finished, job.customerId(), job.trace().baggage()));
    WorkerMetrics metrics = spans.metrics();
    metrics.busy(connector.type(), -1);
    metrics.attemptEnded(job, end, System.nanoTime() - runStartNanos, sla, kept ? job.trace().traceId() : null,
        processingSpanId);
  }

  /** The backend call's metrics: service, endpoint, model, duration and success/timeout/cancelled/error. */
  static void externalCall(WorkerMetrics metrics, Connector connector, Job job, long nanos, Throwable err) {
    Connector.ExternalService ext = connector.externalService();
    metrics.externalCall(ext == null || ext.name() == null ? connector.type() : ext.name(),
        ext == null ? null : ext.endpoint(), WorkerMetrics.modelOf(job), nanos, outcome(connector, err));
  }

  private static String outcome(Connector connector, Throwable err) {
    if (err == null) {
      return "success";
    }
    if (err instanceof AttemptOutcome.TimeoutStop) {
      return "timeout";
    }
    if (err instanceof LeaseLostException) {
      return "cancelled";
    }
    Failure f;
    try {
      f = connector.classify(err);
    } catch (RuntimeException e) {
      return "error";
    }
    return f.kind() == Failure.Kind.CANCELLED ? "cancelled" : "timeout".equals(f.type()) ? "timeout" : "error";
  }
}
