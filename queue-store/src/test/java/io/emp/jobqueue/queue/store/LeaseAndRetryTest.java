package io.emp.jobqueue.queue.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.emp.jobqueue.core.model.Failure;
import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.model.JobEvent;
import io.emp.jobqueue.core.model.JobLimits;
import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.core.model.JobSpec;
import io.emp.jobqueue.core.model.JobStatus;
import io.emp.jobqueue.core.model.LeaseLostException;
import io.emp.jobqueue.core.model.WorkerCapabilities;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeaseAndRetryTest extends StoreTestSupport {
  static final WorkerCapabilities W1 = WorkerCapabilities.of("w1", "sim");
  static final WorkerCapabilities W2 = WorkerCapabilities.of("w2", "sim");

  Job job(String id) {
    return get(store.get(id)).orElseThrow();
  }

  ClaimedJob claim(WorkerCapabilities w, long leaseMs) {
    return get(store.claim(w, 10, leaseMs)).job().orElseThrow();
  }

  @Test
  void expiredLeaseIsReclaimedAndTheOldTokenChangesNothing() {
    String id = get(store.submit(JobSpec.of("sim", 50, new JsonObject()))).jobId();
    ClaimedJob first = claim(W1, 150);
    assertThat(first.job().attempt()).isEqualTo(1);

    await().atMost(Duration.ofSeconds(10)).until(() -> get(store.reapExpiredLeases(100)) == 1);
    assertThat(job(id).status()).isEqualTo(JobStatus.DELAYED);
    assertThat(job(id).lastError().getString("type")).isEqualTo("lease_expired");
    await().atMost(Duration.ofSeconds(10)).until(() -> get(store.promoteDue(100)) == 1);
    ClaimedJob second = claim(W2, 60_000);
    assertThat(second.job().id()).isEqualTo(id);
    assertThat(second.job().attempt()).isEqualTo(2);

    long seqBefore = job(id).seq();
    assertThatThrownBy(() -> get(store.complete(id, first.token(), new JsonObject().put("stale", true), null)))
        .isInstanceOf(LeaseLostException.class);
    assertThatThrownBy(() -> get(store.renewLease(id, first.token(), 1000))).isInstanceOf(LeaseLostException.class);
    assertThatThrownBy(() -> get(store.progress(id, first.token(), 50, "x", 0, null)))
        .isInstanceOf(LeaseLostException.class);
    assertThatThrownBy(() -> get(store.fail(id, first.token(), Failure.permanent("x", "y"), null)))
        .isInstanceOf(LeaseLostException.class);
    Job untouched = job(id);
    assertThat(untouched.status()).isEqualTo(JobStatus.ASSIGNED);
    assertThat(untouched.workerId()).isEqualTo("w2");
    assertThat(untouched.result()).isNull();
    assertThat(untouched.seq()).isEqualTo(seqBefore);

    get(store.complete(id, second.token(), new JsonObject().put("ok", true), null));
    assertThat(job(id).status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(job(id).result().getBoolean("ok")).isTrue();
    assertThatThrownBy(() -> get(store.complete(id, second.token(), new JsonObject(), null)))
        .as("a second completion is refused").isInstanceOf(LeaseLostException.class);
  }

  @Test
  void renewKeepsTheLease() {
    get(store.submit(JobSpec.of("sim", 50, new JsonObject())));
    ClaimedJob c = claim(W1, 300);
    for (int i = 0; i < 5; i++) {
      get(store.renewLease(c.job().id(), c.token(), 60_000));
    }
    assertThat(get(store.reapExpiredLeases(100))).isZero();
    assertThat(job(c.job().id()).leaseUntil()).isGreaterThan(System.currentTimeMillis() + 50_000);
  }

  @Test
  void retryableFailuresBackOffThenDeadLetterWithTheErrorChain() {
    String id = get(store.submit(JobSpec.of("sim", 50, new JsonObject()).withMaxRetries(2))).jobId();
    for (int attempt = 1; attempt <= 3; attempt++) {
      ClaimedJob c = claim(W1, 60_000);
      assertThat(c.job().attempt()).isEqualTo(attempt);
      FailOutcome out = get(store.fail(id, c.token(), Failure.retryable("service_error", "boom " + attempt), null));
      if (attempt < 3) {
        assertThat(out.kind()).isEqualTo(FailOutcome.Kind.RETRY_SCHEDULED);
        assertThat(job(id).status()).isEqualTo(JobStatus.DELAYED);
        assertThat(get(store.claim(W1, 10, 60_000)).job()).as("not claimable during backoff").isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> get(store.promoteDue(100)) == 1);
      } else {
        assertThat(out.kind()).isEqualTo(FailOutcome.Kind.FAILED);
      }
    }
    Job dead = job(id);
    assertThat(dead.status()).isEqualTo(JobStatus.FAILED);
    assertThat(dead.errors()).hasSize(3);
    assertThat(dead.errors().getJsonObject(2).getString("message")).isEqualTo("boom 3");
    assertThat(get(store.queries().list(JobStatus.FAILED, "sim", 10, null)).jobs()).extracting(Job::id).containsExactly(id);
  }

  /** Claims the job with a short lease, lets it run out and reaps it, as when its machine dies. */
  private void loseLease(String id) {
    claim(W1, 50);
    await().atMost(Duration.ofSeconds(10)).until(() -> get(store.reapExpiredLeases(100)) == 1);
  }

  @Test
  void lostLeasesSpendTheirOwnBudgetWithBackoffNotTheConnectorRetries() {
    String id = get(store.submit(JobSpec.of("sim", 50, new JsonObject()).withMaxRetries(1))).jobId();
    // a crash-looping machine: the lease runs out more often than max_retries allows connector failures
    for (int lost = 1; lost <= 3; lost++) {
      loseLease(id);
      Job j = job(id);
      assertThat(j.status()).as("lost lease " + lost + " is requeued, not dead-lettered").isEqualTo(JobStatus.DELAYED);
      // the backoff grows with the lost leases: base 20 ms, doubling (FAST_RETRY has no jitter)
      assertThat(j.dueAt() - j.updatedAt()).isEqualTo(20L << (lost - 1));
      JsonObject err = j.lastError();
      assertThat(err.getString("type")).isEqualTo("lease_expired");
      assertThat(err.getInteger("lost_attempts")).isEqualTo(lost);
      assertThat(err.getString("message")).contains("attempts lost to crashes: " + lost + " of 10");
      await().atMost(Duration.ofSeconds(10)).until(() -> get(store.promoteDue(100)) == 1);
    }
    // the connector's budget is untouched: one retry (max_retries 1), then the dead letter
    ClaimedJob c = claim(W2, 60_000);
    assertThat(c.job().attempt()).isEqualTo(4);
    assertThat(get(store.fail(id, c.token(), Failure.retryable("service_error", "boom 1"), null)).kind())
        .isEqualTo(FailOutcome.Kind.RETRY_SCHEDULED);
    await().atMost(Duration.ofSeconds(10)).until(() -> get(store.promoteDue(100)) == 1);
    c = claim(W2, 60_000);
    assertThat(get(store.fail(id, c.token(), Failure.retryable("service_error", "boom 2"), null)).kind())
        .isEqualTo(FailOutcome.Kind.FAILED);
    Job dead = job(id);
    assertThat(dead.status()).isEqualTo(JobStatus.FAILED);
    assertThat(dead.errors()).hasSize(5);
    // every error after a crash says how many attempts crashes have cost
    assertThat(dead.lastError().getString("message")).isEqualTo("boom 2");
    assertThat(dead.lastError().getInteger("lost_attempts")).isEqualTo(3);
  }

  @Test
  void pastTheLostLeaseBudgetTheJobFailsWithAClearError() {
    store = get(JobStore.connect(vertx, config().withRetry(FAST_RETRY.withMaxLostLeases(2))));
    String id = get(store.submit(JobSpec.of("sim", 50, new JsonObject()).withMaxRetries(5))).jobId();
    for (int lost = 1; lost <= 2; lost++) {
      loseLease(id);
      assertThat(job(id).status()).isEqualTo(JobStatus.DELAYED);
      await().atMost(Duration.ofSeconds(10)).until(() -> get(store.promoteDue(100)) == 1);
    }
    loseLease(id);
    Job dead = job(id);
    assertThat(dead.status()).isEqualTo(JobStatus.FAILED);
    assertThat(dead.lastError().getString("type")).isEqualTo("lease_expired");
    assertThat(dead.lastError().getInteger("lost_attempts")).isEqualTo(3);
    assertThat(dead.lastError().getString("message"))
        .contains("attempts lost to crashes: 3 of 2 allowed; giving up (retry.max_lost_leases)");
    List<JobEvent> events = get(store.queries().events(id, 0, 100));
    assertThat(events.get(events.size() - 1).type()).isEqualTo(JobEvent.FAILED);
  }

  @Test
  void aLostLeaseBudgetIsConfiguredInTheRetrySection() {
    assertThat(StoreConfig.from(new JsonObject()).retry().maxLostLeases())
        .isEqualTo(RetryPolicy.DEFAULT_MAX_LOST_LEASES).isGreaterThan(JobLimits.DEFAULTS.defaultMaxRetries());
    assertThat(StoreConfig.from(new JsonObject().put("retry", new JsonObject().put("max_lost_leases", 25)))
        .retry().maxLostLeases()).isEqualTo(25);
  }

  @Test
  void permanentFailureIsFinalAtOnce() {
    String id = get(store.submit(JobSpec.of("sim", 50, new JsonObject()).withMaxRetries(5))).jobId();
    ClaimedJob c = claim(W1, 60_000);
    assertThat(get(store.fail(id, c.token(), Failure.permanent("validation_error", "bad graph"), null)).kind())
        .isEqualTo(FailOutcome.Kind.FAILED);
    assertThat(job(id).status()).isEqualTo(JobStatus.FAILED);
  }

  @Test
  void retriedJobKeepsItsPlaceAheadOfLaterJobs() {
    String first = get(store.submit(JobSpec.of("sim", 50, new JsonObject()))).jobId();
    ClaimedJob c = claim(W1, 60_000);
    // Later jobs of the same priority arrive while the first one is failing and backing off.
    String later1 = get(store.submit(JobSpec.of("sim", 50, new JsonObject()))).jobId();
    String later2 = get(store.submit(JobSpec.of("sim", 50, new JsonObject()))).jobId();
    get(store.fail(first, c.token(), Failure.retryable("timeout", "slow"), null));
    await().atMost(Duration.ofSeconds(10)).until(() -> get(store.promoteDue(100)) == 1);
    assertThat(List.of(claim(W2, 60_000).job().id(), claim(W2, 60_000).job().id(), claim(W2, 60_000).job().id()))
        .containsExactly(first, later1, later2);
  }

  @Test
  void workerThatFailedAJobDoesNotGetItBackFirst() {
    store = get(JobStore.connect(vertx, config().withRetry(new RetryPolicy(0, 0, 0, 60_000))));
    String id = get(store.submit(JobSpec.of("sim", 50, new JsonObject()))).jobId();
    ClaimedJob c = claim(W1, 60_000);
    get(store.fail(id, c.token(), Failure.retryable("service_error", "x"), null));
    await().atMost(Duration.ofSeconds(10)).until(() -> get(store.promoteDue(100)) == 1);
    assertThat(get(store.claim(W1, 10, 60_000)).job()).as("w1 just failed it").isEmpty();
    assertThat(claim(W2, 60_000).job().id()).isEqualTo(id);
  }

  @Test
  void releaseHandsTheJobBackWithoutCountingAnAttempt() {
    String id = get(store.submit(JobSpec.of("sim", 50, new JsonObject()))).jobId();
    ClaimedJob c = claim(W1, 60_000);
    get(store.progress(id, c.token(), 40, "half", 0, null));
    get(store.release(id, c.token(), null));
    assertThat(job(id).status()).isEqualTo(JobStatus.PENDING);
    assertThat(job(id).attempt()).isZero();
    assertThat(claim(W2, 60_000).job().attempt()).isEqualTo(1);
  }

  @Test
  void cancelPendingAtOnceAndActiveThroughTheWorker() {
    String waiting = get(store.submit(JobSpec.of("sim", 50, new JsonObject()))).jobId();
    assertThat(get(store.cancel(waiting, "user", null))).isEqualTo(CancelOutcome.CANCELLED);
    assertThat(job(waiting).status()).isEqualTo(JobStatus.CANCELLED);
    assertThat(get(store.claim(W1, 10, 60_000)).job()).isEmpty();

    String running = get(store.submit(JobSpec.of("sim", 50, new JsonObject()))).jobId();
    ClaimedJob c = claim(W1, 60_000);
    assertThat(get(store.renewLease(running, c.token(), 60_000)).cancelRequested()).isFalse();
    assertThat(get(store.cancel(running, "user", null))).isEqualTo(CancelOutcome.REQUESTED);
    assertThat(get(store.renewLease(running, c.token(), 60_000)).cancelRequested()).isTrue();
    assertThat(get(store.progress(running, c.token(), 10, "x", 0, null)).cancelRequested()).isTrue();
    assertThat(get(store.fail(running, c.token(), Failure.cancelled("stopped"), null)).kind())
        .isEqualTo(FailOutcome.Kind.CANCELLED);
    assertThat(job(running).status()).isEqualTo(JobStatus.CANCELLED);

    assertThatThrownBy(() -> get(store.cancel(running, "again", null)))
        .isInstanceOfSatisfying(JobQueueException.class,
            e -> assertThat(e.code()).isEqualTo(JobQueueException.Code.CONFLICT));
    assertThatThrownBy(() -> get(store.cancel("nope", "x", null)))
        .isInstanceOfSatisfying(JobQueueException.class,
            e -> assertThat(e.code()).isEqualTo(JobQueueException.Code.NOT_FOUND));
  }

  @Test
  void cancelRequestedJobWhoseWorkerDiedEndsCancelledNotRetried() {
    String id = get(store.submit(JobSpec.of("sim", 50, new JsonObject()))).jobId();
    claim(W1, 100);
    get(store.cancel(id, "user", null));
    await().atMost(Duration.ofSeconds(10)).until(() -> get(store.reapExpiredLeases(100)) == 1);
    assertThat(job(id).status()).isEqualTo(JobStatus.CANCELLED);
  }
}
