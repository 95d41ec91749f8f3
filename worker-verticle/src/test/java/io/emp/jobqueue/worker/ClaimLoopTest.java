package io.emp.jobqueue.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.vertx.core.Promise;
import org.junit.jupiter.api.Test;

class ClaimLoopTest extends WorkerTestSupport {
  /**
   * A closed client fails a claim before the call returns, which frees its slot at once: the loop
   * must still make one claim per free slot and return, not spin on the event loop (it did while a
   * node's Vert.x was closing under a running worker).
   */
  @Test
  void claimsThatFailAtOnceDoNotSpinTheEventLoop() {
    WorkerConfig cfg = config("w-closed").withConcurrency(4);
    JobStore closed = get(JobStore.connect(vertx, StoreConfig.defaults(redisServer.url()).withNamespace("closed")));
    get(closed.close());
    ClaimLoop loop = new ClaimLoop(vertx, closed, cfg, new WorkerSpans(telemetry, cfg), (job, ctx) -> {
      throw new AssertionError("a closed store claims nothing");
    });
    Promise<Long> claims = Promise.promise();
    vertx.runOnContext(v -> {
      loop.kick();
      claims.complete(loop.claims());
    });
    assertThat(get(claims.future())).isBetween(1L, 4L);
  }
}
