package io.emp.jobqueue.worker;

import io.emp.jobqueue.core.telemetry.Attr;
import io.emp.jobqueue.core.telemetry.SpanName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emp.jobqueue.core.model.JobStatus;
import io.emp.jobqueue.core.model.TraceContext;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The worker is the one recording point of job metrics: each attempt counted once, with queue
 * wait at claim, durations, outcome, SLA facts and slot use. Each test uses its own service name,
 * so the shared registry's counters start at zero for it.
 */
class WorkerMetricsTest extends WorkerTestSupport {
  static final Duration WAIT = Duration.ofSeconds(20);

  static MeterRegistry registry() {
    return telemetry.metrics().registry();
  }

  static Search meter(String name, String... tags) {
    return registry().find(name).tags(tags);
  }

  /** Summed over every series that has these tags. */
  static double count(String name, String... tags) {
    return meter(name, tags).counters().stream().mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
  }

  static long timerCount(String name, String... tags) {
    return meter(name, tags).timers().stream().mapToLong(io.micrometer.core.instrument.Timer::count).sum();
  }

  static double gauge(String name, String... tags) {
    var g = meter(name, tags).gauge();
    return g == null ? Double.NaN : g.value();
  }

  WorkerConfig configFor(String workerId, String service, int concurrency) {
    return WorkerConfig.defaults(io.emp.jobqueue.core.model.WorkerCapabilities.of(workerId, service)
            .withMachine("machine-t"))
        .withLease(3_000, 1_000).withIdlePoll(200).withProgressThrottle(0).withDrainGrace(300)
        .withConcurrency(concurrency);
  }

  String submitTo(String service, JsonObject payload, int priority, TraceContext trace) {
    return submitTo(service, payload, priority, 1, trace);
  }

  String submitTo(String service, JsonObject payload, int priority, int maxRetries, TraceContext trace) {
    return submit(new JsonObject().put("service_required", service).put("priority", priority)
        .put("max_retries", maxRetries).put("payload", payload), trace);
  }

  @Test
  void aCompletedJobIsRecordedOnceWithQueueWaitDurationsAndItsSla() {
    String svc = "m-ok";
    String id = submitTo(svc, new JsonObject().put("steps", 2).put("step_ms", 5), 90,
        new TraceContext(null, null, "customer.tier=vip"));
    deploy(configFor("w-m-ok", svc, 3), simulation());
    await().atMost(WAIT).until(() -> job(id).status() == JobStatus.COMPLETED);
    await().atMost(WAIT).until(() -> count("emp_job_attempts", "service", svc) == 1);

    assertThat(count("emp_job_attempts", "service", svc, "outcome", "completed")).isEqualTo(1);
    assertThat(timerCount("emp_queue_wait", "service", svc, "priority_band", "high")).isEqualTo(1);
    assertThat(timerCount("emp_job_processing", "service", svc, "outcome", "completed")).isEqualTo(1);
    var e2e = meter("emp_job_end_to_end", "service", svc, "tier", "vip", "outcome", "completed").timer();
    assertThat(e2e.count()).isEqualTo(1);
    long actual = job(id).completedAt() - job(id).createdAt();
    assertThat(e2e.totalTime(TimeUnit.MILLISECONDS)).as("Redis clock, submit -> complete").isEqualTo(actual);
    assertThat(count("emp_sla_jobs", "service", svc, "tier", "vip", "met", "true")).isEqualTo(1);
    assertThat(count("emp_sla_jobs", "service", svc, "met", "false")).isZero();
    // slots of the running worker, none busy once the job is done
    assertThat(gauge("emp_worker_slots", "machine", "machine-t", "service", "simulation")).isGreaterThanOrEqualTo(3);
    await().atMost(WAIT).until(() -> gauge("emp_worker_slots_busy", "machine", "machine-t", "service", "simulation")
        == 0);
    assertThat(timerCount("emp_external_request", "external_service", "simulation", "outcome", "success"))
        .isPositive();

    // the same facts on the job.processing span: promised vs actual
    await().atMost(WAIT).until(() -> processingSpanOf(id) != null);
    SpanData processing = processingSpanOf(id);
    assertThat(processing.getAttributes().get(AttributeKey.stringKey(Attr.SLA_TIER))).isEqualTo("vip");
    assertThat(processing.getAttributes().get(AttributeKey.longKey(Attr.SLA_PROMISED_MS))).isEqualTo(30_000L);
    assertThat(processing.getAttributes().get(AttributeKey.longKey(Attr.SLA_ACTUAL_MS))).isEqualTo(actual);
    assertThat(processing.getAttributes().get(AttributeKey.booleanKey(Attr.SLA_MET))).isTrue();
  }

  @Test
  void failedAttemptsCountAsErrorsAndAFinalFailureMissesTheSla() {
    String svc = "m-fail";
    JsonObject failing = new JsonObject().put("steps", 1).put("step_ms", 1).put("fail", "retryable");
    // one job with a retry left (its attempt schedules a retry), one without (its attempt fails it for good)
    String retried = submitTo(svc, failing, 50, 1, TraceContext.EMPTY);
    String id = submitTo(svc, failing, 50, 0, TraceContext.EMPTY);
    long errorsBefore = (long) count("emp_errors", "component", "simulation", "error_type", "service_error");
    deploy(configFor("w-m-fail", svc, 1), simulation());
    await().atMost(WAIT).until(() -> job(id).status() == JobStatus.FAILED);
    await().atMost(WAIT).until(() -> job(retried).status() == JobStatus.DELAYED);
    await().atMost(WAIT).until(() -> count("emp_job_attempts", "service", svc) == 2);

    assertThat(count("emp_job_attempts", "service", svc, "outcome", "retry_scheduled")).isEqualTo(1);
    assertThat(count("emp_job_attempts", "service", svc, "outcome", "failed")).isEqualTo(1);
    assertThat(count("emp_errors", "component", "simulation", "error_type", "service_error") - errorsBefore)
        .as("both attempts, retried or final").isEqualTo(2);
    assertThat(timerCount("emp_queue_wait", "service", svc, "priority_band", "normal")).isEqualTo(2);
    assertThat(count("emp_sla_jobs", "service", svc, "tier", "standard", "met", "false")).isEqualTo(1);
    assertThat(timerCount("emp_job_end_to_end", "service", svc, "outcome", "failed")).isEqualTo(1);
    assertThat(timerCount("emp_external_request", "external_service", "simulation", "outcome", "error"))
        .isPositive();
  }

  private static SpanData processingSpanOf(String jobId) {
    return spansNamed(SpanName.JOB_PROCESSING).stream()
        .filter(s -> jobId.equals(s.getAttributes().get(AttributeKey.stringKey(Attr.JOB_ID))))
        .filter(s -> s.getAttributes().get(AttributeKey.stringKey(Attr.SLA_TIER)) != null)
        .findFirst().orElse(null);
  }
}
