package io.emp.jobqueue.worker;

import io.emp.jobqueue.core.metrics.BoundedLabels;
import io.emp.jobqueue.core.metrics.MetricNames;
import io.emp.jobqueue.core.metrics.Metrics;
import io.emp.jobqueue.core.metrics.PriorityBand;
import io.emp.jobqueue.core.metrics.SlaConfig;
import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.telemetry.SamplingPolicy;
import io.emp.jobqueue.queue.store.ClaimedJob;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The worker's metrics: the one recording point of queue wait (at claim), attempt and job
 * durations, attempt outcomes, SLA facts (at the attempt's end), backend calls, errors and slot
 * usage. Recorded from the job's own facts (Redis-clock times, the attempt's outcome), never from
 * spans, so tail sampling cannot bias them; each attempt is recorded once, by the worker that ran it.
 */
public final class WorkerMetrics {
  private final Metrics m;
  private final WorkerConfig cfg;
  private final SamplingPolicy sampling;
  private final String machine;

  /** What the SLA check of one finished job found (also written on its job.processing span). */
  public record SlaFact(String tier, long promisedMs, long actualMs, boolean met) {
  }

  public WorkerMetrics(Metrics metrics, WorkerConfig cfg, SamplingPolicy sampling) {
    this.m = metrics;
    this.cfg = cfg;
    this.sampling = sampling;
    this.machine = m.bounded(MetricNames.L_MACHINE, cfg.machineId() == null ? "local" : cfg.machineId());
  }

  private String service(String s) {
    return m.bounded(MetricNames.L_SERVICE, s);
  }

  /** The worker runs with {@code concurrency} slots (negative when it stops). */
  public void slots(String workerService, int delta) {
    m.gauge(MetricNames.WORKER_SLOTS, machine, service(workerService)).add(delta);
  }

  /** One slot started (+1) or finished (-1) an attempt. */
  public void busy(String workerService, int delta) {
    m.gauge(MetricNames.WORKER_SLOTS_BUSY, machine, service(workerService)).add(delta);
  }

  /** A claim returned a job: how long it waited in its queue (Redis clock, submit or due time to claim). */
  public void claimed(ClaimedJob c) {
    Job j = c.job();
    m.timer(MetricNames.QUEUE_WAIT, service(j.serviceRequired()), PriorityBand.of(j.priority()))
        .record(c.waitMs(), TimeUnit.MILLISECONDS);
  }

  /** The job's SLA tier: its customer.tier baggage, else the customer's configured tier, else the default. */
  public String tierOf(Job j) {
    String own = SamplingPolicy.tierFromBaggage(j.trace().baggage());
    return m.config().sla().tierOf(own != null ? own : sampling.tierOf(j.customerId()));
  }

  /** The SLA check of a job that reached a final outcome after {@code actualMs} (submit -> end, Redis clock). */
  public SlaFact sla(Job j, long actualMs, boolean succeeded) {
    String tier = tierOf(j);
    SlaConfig.Tier t = m.config().sla().tier(tier);
    return new SlaFact(tier, t.promisedMs(), actualMs, succeeded && actualMs <= t.promisedMs());
  }

  /**
   * An attempt ended.
   *
   * @param processingNanos claim -> end of the attempt (monotonic clock)
   * @param sla the SLA check when the job reached its final outcome here (completed or failed for good), else null
   * @param keptTraceId the job's trace id when the tail sampler KEPT it (exemplars), else null
   * @param spanId the job.processing span (the exemplar's span)
   */
  public void attemptEnded(Job j, AttemptEnd end, long processingNanos, SlaFact sla, String keptTraceId,
                           String spanId) {
    String svc = service(j.serviceRequired());
    String outcome = end.name().toLowerCase(Locale.ROOT);
    m.counter(MetricNames.JOB_ATTEMPTS, svc, outcome).increment();
    m.record(m.timer(MetricNames.JOB_PROCESSING, svc, outcome), processingNanos, keptTraceId, spanId);
    if (sla != null) {
      String finalOutcome = end == AttemptEnd.COMPLETED ? "completed" : "failed";
      m.record(m.timer(MetricNames.JOB_END_TO_END, svc, sla.tier(), finalOutcome),
          TimeUnit.MILLISECONDS.toNanos(sla.actualMs()), keptTraceId, spanId);
      m.counter(MetricNames.SLA_JOBS, svc, sla.tier(), Boolean.toString(sla.met())).increment();
    }
    if (end == AttemptEnd.LEASE_LOST || end == AttemptEnd.STORE_ERROR) {
      error(WorkerSpans.COMPONENT, outcome);
    }
  }

  /** The connector's backend call ended: {@code outcome} success, error, timeout or cancelled. */
  public void externalCall(String externalService, String endpoint, String model, long nanos, String outcome) {
    m.timer(MetricNames.EXTERNAL_REQUEST, m.bounded(MetricNames.L_EXTERNAL_SERVICE, externalService),
        m.bounded(MetricNames.L_ENDPOINT, endpoint), m.bounded(MetricNames.L_MODEL, model), outcome)
        .record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
  }

  /** An error of {@code component} (the {component}.error.{type} span's parts). */
  public void error(String component, String errorType) {
    m.counter(MetricNames.ERRORS, m.bounded(MetricNames.L_COMPONENT, component),
        m.bounded(MetricNames.L_ERROR_TYPE, errorType)).increment();
  }

  /** The configured concurrency (slots) of this worker. */
  public int concurrency() {
    return cfg.concurrency();
  }

  static String modelOf(Job j) {
    if (j.payload() == null) {
      return BoundedLabels.NONE;
    }
    Object model = j.payload().getValue("model");
    return model instanceof String s && !s.isBlank() ? s : BoundedLabels.NONE;
  }
}
