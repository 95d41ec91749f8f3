package io.emp.jobqueue.worker;

import io.emp.jobqueue.core.telemetry.Attr;
import io.emp.jobqueue.core.telemetry.ServiceName;
import io.emp.jobqueue.core.telemetry.SpanName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.model.JobEvent;
import io.emp.jobqueue.core.model.JobStatus;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.queue.store.CancelOutcome;
import io.emp.jobqueue.worker.simulation.SimulationConnector;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A deployed worker against a real redis-server: the pipeline, its spans, and every way an attempt ends. */
class WorkerVerticleTest extends WorkerTestSupport {
  static final Duration WAIT = Duration.ofSeconds(20);
  static final String SUBMIT_TP = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  @Test
  void completesJobWithSeedSpansAndTracedProgress() {
    deploy(config("w-1"), simulation());
    String id = submit(new JsonObject().put("service_required", "sim").put("customer_id", "cust-1")
        .put("payload", new JsonObject().put("steps", 3).put("step_ms", 20).put("output", true)),
        TraceContext.of(SUBMIT_TP));

    await().atMost(WAIT).until(() -> job(id).status() == JobStatus.COMPLETED);
    Job done = job(id);
    String uri = done.result().getJsonArray("outputs").getString(0);
    assertThat(Path.of(URI.create(uri))).exists();

    await().atMost(WAIT).until(() -> !spansNamed(SpanName.JOB_PROCESSING).isEmpty());
    SpanData claim = spansNamed(SpanName.REDIS_CLAIM).get(0);
    SpanData processing = spansNamed(SpanName.JOB_PROCESSING).get(0);
    // the claim continues the submitter's trace, read back from the job hash
    assertThat(claim.getTraceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(claim.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
    assertThat(claim.getKind()).isEqualTo(SpanKind.CONSUMER);
    assertThat(claim.getResource().getAttribute(AttributeKey.stringKey("service.name")))
        .isEqualTo(ServiceName.WORKER);
    assertThat(claim.getAttributes().get(AttributeKey.stringKey(Attr.JOB_ID))).isEqualTo(id);
    assertThat(claim.getAttributes().get(AttributeKey.stringKey(Attr.WORKER_MACHINE_ID))).isEqualTo("machine-t");
    assertThat(claim.getAttributes().get(AttributeKey.longKey(Attr.MATCHING_JOBS_EVALUATED))).isGreaterThanOrEqualTo(1);
    assertThat(claim.getAttributes().get(AttributeKey.booleanKey(Attr.TRACE_CONTEXT_RETRIEVED))).isTrue();
    assertThat(claim.getAttributes().get(AttributeKey.stringKey(Attr.WORKER_CAPABILITIES))).contains("\"sim\"");
    assertThat(claim.getAttributes().get(AttributeKey.longKey(Attr.JOB_ATTEMPT))).isEqualTo(1L);

    assertThat(processing.getParentSpanId()).isEqualTo(claim.getSpanId());
    assertThat(processing.getResource().getAttribute(AttributeKey.stringKey("service.name")))
        .isEqualTo("emp-simulation-worker");
    assertThat(processing.getAttributes().get(AttributeKey.stringKey(Attr.PROCESSING_STATUS))).isEqualTo("completed");
    assertThat(processing.getAttributes().get(AttributeKey.longKey(Attr.PROCESSING_ESTIMATED_DURATION_MS)))
        .isEqualTo(60L);
    assertThat(processing.getAttributes().get(AttributeKey.longKey(Attr.MACHINE_CPU_CORES)))
        .isEqualTo((long) Runtime.getRuntime().availableProcessors());
    assertThat(processing.getAttributes().get(AttributeKey.doubleKey(Attr.MACHINE_RAM_GB))).isPositive();
    assertThat(processing.getAttributes().get(AttributeKey.stringKey(Attr.EXTERNAL_SERVICE_NAME)))
        .isEqualTo("simulation");
    assertThat(processing.getAttributes().get(AttributeKey.stringKey(Attr.CUSTOMER_ID))).isEqualTo("cust-1");
    for (String child : List.of(SpanName.JOB_PREPROCESSING, SpanName.EXTERNAL_CALL, SpanName.JOB_POSTPROCESSING,
        SpanName.JOB_RESULT_UPLOAD)) {
      assertThat(spansNamed(child)).as(child).singleElement()
          .satisfies(s -> assertThat(s.getParentSpanId()).isEqualTo(processing.getSpanId()));
    }

    // progress and completion events carry the job.processing span's traceparent
    List<JobEvent> events = get(store.queries().events(id, 0, 100));
    List<JobEvent> progress = events.stream().filter(e -> JobEvent.PROGRESS.equals(e.type())).toList();
    assertThat(progress).isNotEmpty();
    assertThat(progress.get(progress.size() - 1).field("progress")).isEqualTo("100");
    JobEvent completed = events.stream().filter(e -> JobEvent.COMPLETED.equals(e.type())).findFirst().orElseThrow();
    for (JobEvent e : List.of(progress.get(0), completed)) {
      assertThat(TraceContext.of(e.traceparent()).spanId()).isEqualTo(processing.getSpanId());
    }
  }

  @Test
  void pubSubWakeUpClaimsWithoutWaitingForThePoll() {
    // the poll would take a minute: only a wake-up can make this job run within the wait below
    WorkerVerticle w = deploy(config("w-wake").withIdlePoll(60_000), simulation());
    await().atMost(WAIT).until(() -> w.worker().loop().claims() >= 1);
    long claimsBefore = w.worker().loop().claims();
    assertThat(spansNamed(SpanName.REDIS_CLAIM)).isEmpty(); // an empty claim makes no span
    String id = submit(new JsonObject().put("steps", 0));
    await().atMost(Duration.ofSeconds(15)).until(() -> job(id).status() == JobStatus.COMPLETED);
    assertThat(w.worker().loop().wakeUps()).isGreaterThanOrEqualTo(1);
    assertThat(w.worker().loop().claims()).isGreaterThan(claimsBefore);
  }

  @Test
  void runsUpToConcurrencyJobsAtOnce() {
    SimulationConnector sim = simulation();
    WorkerVerticle w = deploy(config("w-conc").withConcurrency(3), sim);
    List<String> ids = List.of(submit(slow()), submit(slow()), submit(slow()), submit(slow()));
    await().atMost(WAIT).until(() -> sim.active() == 3);
    // and no more: the fourth waits for a free slot (polls and wake-ups keep coming meanwhile)
    await().during(Duration.ofMillis(600)).atMost(WAIT).until(() -> sim.active() == 3
        && ids.stream().filter(id -> job(id).status() == JobStatus.PENDING).count() == 1);
    assertThat(w.worker().loop().runningCount()).isEqualTo(3);
  }

  @Test
  void timeoutCancelsTheConnectorAndFailsRetryableWithTypeTimeout() {
    SimulationConnector sim = simulation();
    deploy(config("w-timeout"), sim);
    String id = submit(new JsonObject().put("service_required", "sim").put("timeout_ms", 300).put("max_retries", 0)
        .put("payload", new JsonObject().put("steps", 1).put("step_ms", 1).put("fail", "timeout")),
        TraceContext.of(SUBMIT_TP));
    await().atMost(WAIT).until(() -> job(id).status() == JobStatus.FAILED);
    assertThat(job(id).lastError().getString("type")).isEqualTo("timeout");
    assertThat(job(id).lastError().getString("kind")).isEqualTo("retryable");
    assertThat(sim.active()).isZero(); // the hung simulation was cancelled, not left running

    await().atMost(WAIT).until(() -> !spansNamed("worker.error.timeout").isEmpty());
    SpanData error = spansNamed("worker.error.timeout").get(0);
    SpanData processing = spansNamed(SpanName.JOB_PROCESSING).get(0);
    assertThat(error.getParentSpanId()).isEqualTo(processing.getSpanId());
    assertThat(error.getResource().getAttribute(AttributeKey.stringKey("service.name"))).isEqualTo("emp-worker");
    assertThat(error.getAttributes().get(AttributeKey.stringKey(Attr.ERROR_TYPE))).isEqualTo("timeout");
    assertThat(error.getAttributes().get(AttributeKey.stringKey(Attr.RECOVERY_STRATEGY))).isEqualTo("fail");
    assertThat(error.getAttributes().get(AttributeKey.booleanKey(Attr.IMPACT_JOB_FAILED))).isTrue();
    assertThat(error.getAttributes().get(AttributeKey.stringKey(Attr.DEBUG_MACHINE_ID))).isEqualTo("machine-t");
    assertThat(processing.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(spansNamed(SpanName.EXTERNAL_CALL).get(0).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
  }

  @Test
  void connectorFailureIsRetriedWithAnErrorSpanUnderTheExternalCall() {
    deploy(config("w-fail"), simulation());
    String id = submit(new JsonObject().put("service_required", "sim").put("max_retries", 2)
        .put("payload", new JsonObject().put("steps", 1).put("step_ms", 1).put("fail", "retryable")),
        TraceContext.EMPTY);
    await().atMost(WAIT).until(() -> job(id).attempt() >= 1 && job(id).errors().size() >= 1);
    await().atMost(WAIT).until(() -> !spansNamed("simulation.error.service_error").isEmpty());
    SpanData error = spansNamed("simulation.error.service_error").get(0);
    assertThat(error.getParentSpanId()).isEqualTo(spansNamed(SpanName.EXTERNAL_CALL).get(0).getSpanId());
    assertThat(error.getAttributes().get(AttributeKey.stringKey(Attr.RECOVERY_STRATEGY))).isEqualTo("retry");
    assertThat(error.getAttributes().get(AttributeKey.booleanKey(Attr.IMPACT_JOB_FAILED))).isFalse();
  }

  @Test
  void permanentFailureEndsTheJob() {
    deploy(config("w-perm"), simulation());
    String id = submit(new JsonObject().put("steps", 1).put("step_ms", 1).put("fail", "permanent"));
    await().atMost(WAIT).until(() -> job(id).status() == JobStatus.FAILED);
    assertThat(job(id).attempt()).isEqualTo(1);
    assertThat(job(id).lastError().getString("kind")).isEqualTo("permanent");
  }

  @Test
  void cancelRequestReachesTheConnectorAndEndsTheAttemptAsCancelled() {
    SimulationConnector sim = simulation();
    deploy(config("w-cancel").withLease(900, 100), sim);
    String id = submit(slow());
    await().atMost(WAIT).until(() -> sim.active() == 1);
    assertThat(get(store.cancel(id, "changed my mind", null))).isEqualTo(CancelOutcome.REQUESTED);
    await().atMost(WAIT).until(() -> job(id).status() == JobStatus.CANCELLED);
    assertThat(sim.active()).isZero();
  }

  @Test
  void drainHandsRunningJobsBackWithoutCountingAnAttempt() {
    SimulationConnector sim = simulation();
    deploy(config("w-drain").withConcurrency(2).withDrainGrace(200), sim);
    String a = submit(slow());
    String b = submit(slow());
    await().atMost(WAIT).until(() -> sim.active() == 2);

    get(vertx.undeploy(deployment));
    deployment = null;

    for (String id : List.of(a, b)) {
      Job j = job(id);
      assertThat(j.status()).isEqualTo(JobStatus.PENDING);
      assertThat(j.attempt()).isZero();
      assertThat(j.errors()).isEmpty();
    }
    assertThat(sim.active()).isZero();
    // a released job is taken by the next worker as its first attempt
    deploy(config("w-after"), simulation());
    await().atMost(WAIT).until(() -> "w-after".equals(job(a).workerId()));
    assertThat(job(a).attempt()).isEqualTo(1);
  }

  @Test
  void drainLetsShortJobsFinishWithinTheGracePeriod() {
    SimulationConnector sim = simulation();
    deploy(config("w-grace").withDrainGrace(20_000), sim);
    String id = submit(new JsonObject().put("steps", 3).put("step_ms", 100));
    await().atMost(WAIT).until(() -> sim.active() == 1);
    get(vertx.undeploy(deployment));
    deployment = null;
    assertThat(job(id).status()).isEqualTo(JobStatus.COMPLETED);
  }

  @Test
  void progressIsThrottledAndTheLastValueIsSentBeforeCompletion() {
    deploy(config("w-throttle").withProgressThrottle(60_000), simulation());
    String id = submit(new JsonObject().put("steps", 20).put("step_ms", 5));
    await().atMost(WAIT).until(() -> job(id).status() == JobStatus.COMPLETED);
    List<JobEvent> events = get(store.queries().events(id, 0, 200));
    List<JobEvent> progress = events.stream().filter(e -> JobEvent.PROGRESS.equals(e.type())).toList();
    // 20 reports, one interval: the first goes at once, the last is flushed before completion
    assertThat(progress).hasSize(2);
    assertThat(progress.get(0).field("progress")).isEqualTo("5");
    assertThat(progress.get(1).field("progress")).isEqualTo("100");
    int lastProgress = events.indexOf(progress.get(1));
    int completed = events.indexOf(events.stream().filter(e -> JobEvent.COMPLETED.equals(e.type())).findFirst()
        .orElseThrow());
    assertThat(lastProgress).isLessThan(completed);
  }

  @Test
  void leaseRenewalKeepsALongJobAwayFromTheReaper() {
    // the job runs about three leases long while a reaper sweeps expired leases every 100 ms;
    // progress (which also renews) is throttled to one call, so only the lease keeper holds the lease
    deploy(config("w-renew").withLease(900, 200).withProgressThrottle(60_000), simulation());
    long reaper = vertx.setPeriodic(100, t -> store.reapExpiredLeases(100));
    try {
      String id = submit(new JsonObject().put("steps", 25).put("step_ms", 100));
      await().atMost(WAIT).until(() -> job(id).status() == JobStatus.COMPLETED);
      assertThat(job(id).attempt()).isEqualTo(1);
      assertThat(job(id).errors()).isEmpty();
    } finally {
      vertx.cancelTimer(reaper);
    }
  }

  static JsonObject slow() {
    return new JsonObject().put("steps", 1000).put("step_ms", 100);
  }
}
