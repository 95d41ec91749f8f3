package io.emp.jobqueue.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.model.JobStatus;
import io.emp.jobqueue.core.model.WorkerCapabilities;
import io.emp.jobqueue.queue.store.ClaimedJob;
import io.opentelemetry.context.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** One attempt run directly (no verticle) against a real store. */
class JobRunnerTest extends WorkerTestSupport {

  private ClaimedJob claim(String workerId) {
    return get(store.claim(WorkerCapabilities.of(workerId, "sim"), 10, 60_000)).job().orElseThrow();
  }

  private Future<AttemptEnd> run(ClaimedJob claimed, WorkerConfig cfg) {
    MachineInfo machine = get(MachineInfo.detect(vertx));
    // on a Vert.x context, as in the worker
    io.vertx.core.Promise<AttemptEnd> p = io.vertx.core.Promise.promise();
    vertx.runOnContext(v -> new JobRunner(vertx, store, cfg, simulation(), new FileResultStore(vertx, resultDir),
        new WorkerSpans(telemetry, cfg), machine, claimed, Context.root()).run().onComplete(p));
    return p.future();
  }

  @Test
  void lostLeaseWritesNothing() {
    String id = submit(new JsonObject().put("steps", 2).put("step_ms", 10));
    ClaimedJob mine = claim("w-owner");
    // a stale copy of the claim: same job, a token that no longer owns it (as after a reap and re-claim)
    ClaimedJob stale = new ClaimedJob(mine.job(), "stale-token", mine.jobsEvaluated(), mine.pendingAfter(),
        mine.claimedAt());
    Job before = job(id);

    AttemptEnd end = get(run(stale, config("w-stale")));

    assertThat(end).isEqualTo(AttemptEnd.LEASE_LOST);
    Job after = job(id);
    assertThat(after.status()).isEqualTo(before.status());
    assertThat(after.workerId()).isEqualTo("w-owner");
    assertThat(after.result()).isNull();
    assertThat(after.attempt()).isEqualTo(before.attempt());
    assertThat(after.errors()).isEmpty();
    // the rightful owner still completes it
    get(store.complete(id, mine.token(), new JsonObject().put("ok", true), null));
    assertThat(job(id).status()).isEqualTo(JobStatus.COMPLETED);
  }

  @Test
  void lostLeaseNoticedByRenewalStopsALongJobWithoutWriting() {
    String id = submit(new JsonObject().put("steps", 1000).put("step_ms", 50));
    ClaimedJob mine = claim("w-owner");
    ClaimedJob stale = new ClaimedJob(mine.job(), "stale-token", 1, 0, mine.claimedAt());
    WorkerConfig cfg = config("w-stale").withLease(900, 100).withProgressThrottle(60_000);

    AttemptEnd end = get(run(stale, cfg));

    assertThat(end).isEqualTo(AttemptEnd.LEASE_LOST);
    assertThat(job(id).workerId()).isEqualTo("w-owner");
    assertThat(job(id).status()).isIn(JobStatus.ASSIGNED, JobStatus.IN_PROGRESS);
  }

  @Test
  void completesWithTheClaimToken() {
    String id = submit(new JsonObject().put("steps", 0));
    AttemptEnd end = get(run(claim("w-1"), config("w-1")));
    assertThat(end).isEqualTo(AttemptEnd.COMPLETED);
    assertThat(job(id).result().getBoolean("simulated")).isTrue();
  }
}
