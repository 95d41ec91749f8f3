package io.emp.jobqueue.queue.store;

import static io.emp.jobqueue.queue.store.StoreTestSupport.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.core.model.JobSpec;
import io.emp.jobqueue.core.model.JobStatus;
import io.emp.jobqueue.core.model.WorkerCapabilities;
import io.emp.jobqueue.testing.TestSentinels;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The store through Sentinel (a master, a replica, three sentinels, real processes), and what
 * {@code wait_replicas} promises: an acknowledged submit or complete is already on the replica, and
 * one the replica did not confirm is answered "unavailable" although the master keeps it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SentinelStoreTest {
  static TestSentinels group;
  static Vertx vertx;
  static int master;
  static int replica;

  @BeforeAll
  static void start() throws Exception {
    group = TestSentinels.start();
    vertx = Vertx.vertx();
    master = group.masterPort();
    replica = group.dataPorts().stream().filter(p -> p != master).findFirst().orElseThrow();
  }

  @AfterAll
  static void stop() {
    get(vertx.close());
    group.close();
  }

  static StoreConfig config(int waitReplicas) {
    StoreConfig c = StoreConfig.defaults(group.url()).withNamespace("s" + UUID.randomUUID().toString().substring(0, 8));
    return waitReplicas == 0 ? c : c.withWaitReplicas(waitReplicas, 2_000);
  }

  static Object onReplica(RedisKeys keys, String jobId) throws Exception {
    return TestSentinels.command(replica, "HGET", keys.job(jobId), "status");
  }

  @Test
  @Order(1)
  void withWaitReplicasAnAcknowledgedSubmitAndCompleteAreAlreadyOnTheReplica() throws Exception {
    JobStore store = get(JobStore.connect(vertx, config(1)));
    try {
      for (int i = 0; i < 20; i++) {
        String id = get(store.submit(JobSpec.of("render", 50, new JsonObject()))).jobId();
        // read straight after the answer: WAIT returned only once the replica had applied the write
        assertThat(onReplica(store.keys(), id)).as("job %s on the replica", id).isEqualTo("pending");
        ClaimedJob c = get(store.claim(WorkerCapabilities.of("w1", "render"), 10, 60_000)).job().orElseThrow();
        get(store.complete(c.job().id(), c.token(), new JsonObject(), null));
        assertThat(onReplica(store.keys(), c.job().id())).isEqualTo("completed");
      }
    } finally {
      get(store.close());
    }
  }

  @Test
  @Order(1)
  void aMasterNameTheSentinelsDoNotKnowFailsTheStartWithTheirAnswerOnOneLine() {
    String url = group.url().replace("/" + TestSentinels.MASTER_NAME, "/nosuchmaster");
    assertThatThrownBy(() -> get(JobStore.connect(vertx, StoreConfig.defaults(url).withConnectTimeout(0))))
        .isInstanceOfSatisfying(JobQueueException.class, e -> {
          assertThat(e.code()).isEqualTo(JobQueueException.Code.UNAVAILABLE);
          assertThat(e.getMessage()).contains("No such master").doesNotContain("\n");
        });
  }

  @Test
  @Order(2)
  void withTheReplicaGoneWaitingWritesAnswerUnavailableWhileTheMasterKeepsThemAndTheDefaultDoesNotWait() {
    JobStore waiting = get(JobStore.connect(vertx, config(1)));
    JobStore plain = get(JobStore.connect(vertx, config(0)));
    try {
      group.kill(replica);
      String id = UUID.randomUUID().toString();
      assertThatThrownBy(() -> get(waiting.submit(JobSpec.of("render", 50, new JsonObject()).withId(id))))
          .isInstanceOfSatisfying(JobQueueException.class, e -> {
            assertThat(e.code()).isEqualTo(JobQueueException.Code.UNAVAILABLE);
            assertThat(e.ownMessage()).isTrue();
            assertThat(e.getMessage()).contains("0 of 1 replicas", "wait_replicas", "same job id or idempotency_key");
          });
      // "possibly stored": the master has it, and a worker may run it
      assertThat(get(waiting.get(id))).hasValueSatisfying(j -> assertThat(j.status()).isEqualTo(JobStatus.PENDING));
      ClaimedJob c = get(waiting.claim(WorkerCapabilities.of("w1", "render"), 10, 60_000)).job().orElseThrow();
      assertThatThrownBy(() -> get(waiting.complete(c.job().id(), c.token(), new JsonObject(), null)))
          .isInstanceOfSatisfying(JobQueueException.class,
              e -> assertThat(e.code()).isEqualTo(JobQueueException.Code.UNAVAILABLE));
      assertThat(get(waiting.get(id))).hasValueSatisfying(j -> assertThat(j.status()).isEqualTo(JobStatus.COMPLETED));

      // off by default: the same master accepts at once without a replica
      assertThat(get(plain.submit(JobSpec.of("render", 50, new JsonObject()))).created()).isTrue();
    } finally {
      get(waiting.close());
      get(plain.close());
    }
  }
}
