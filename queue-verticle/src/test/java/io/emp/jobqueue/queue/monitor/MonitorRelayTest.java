package io.emp.jobqueue.queue.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.emp.jobqueue.testing.TestRedis;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two unclustered nodes (two Vert.x instances) that share only Redis: a notice published on one
 * reaches the other's bus through the monitor stream, exactly once on each.
 */
class MonitorRelayTest {
  static final Duration WAIT = Duration.ofSeconds(20);
  TestRedis redis;
  Vertx machineNode;
  Vertx apiNode;
  StoreConfig sc;

  @BeforeEach
  void start() {
    redis = TestRedis.start();
    machineNode = Vertx.vertx();
    apiNode = Vertx.vertx();
    sc = StoreConfig.defaults(redis.url()).withNamespace("mr" + UUID.randomUUID().toString().substring(0, 6));
  }

  @AfterEach
  void stop() {
    get(machineNode.close());
    get(apiNode.close());
    redis.close();
  }

  static <T> T get(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new RuntimeException(e.getCause());
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  @Test
  void aNoticeFromAnotherNodeArrivesOnceAndANodesOwnIsNotRepeated() {
    List<JsonObject> onApi = new CopyOnWriteArrayList<>();
    List<JsonObject> onMachine = new CopyOnWriteArrayList<>();
    apiNode.eventBus().<JsonObject>consumer(MonitorNotices.MACHINES, m -> onApi.add(m.body()));
    machineNode.eventBus().<JsonObject>consumer(MonitorNotices.MACHINES, m -> onMachine.add(m.body()));
    MonitorRelay apiRelay = new MonitorRelay(apiNode, MonitorTail.create(apiNode, sc), 200, 100);
    MonitorRelay machineRelay = new MonitorRelay(machineNode, MonitorTail.create(machineNode, sc), 200, 100);
    get(apiRelay.start());
    get(machineRelay.start());

    JobStore store = get(JobStore.connect(machineNode, sc));
    get(MonitorNotices.of(machineNode, store).publish(MonitorNotices.MACHINES,
        new JsonObject().put("machine_id", "m-remote").put("update_type", "initial")));

    await().atMost(WAIT).until(() -> onApi.size() == 1);
    assertThat(onApi.get(0).getString("machine_id")).isEqualTo("m-remote");
    // the producer's own bus had it at once; its relay skips its own notices
    await().atMost(WAIT).until(() -> machineRelay.relayed() == 0 && onMachine.size() == 1);
    get(MonitorNotices.of(machineNode, store).publish(MonitorNotices.WORKERS, new JsonObject().put("n", 2)));
    await().atMost(WAIT).until(() -> apiRelay.relayed() == 2);
    assertThat(onMachine).hasSize(1);
    assertThat(onApi).hasSize(1);
    get(apiRelay.stop());
    get(machineRelay.stop());
    get(store.close());
  }

  @Test
  void theStreamIsCapped() {
    JobStore store = get(JobStore.connect(machineNode, sc));
    MonitorNotices notices = MonitorNotices.of(machineNode, store);
    for (int i = 0; i < MonitorNotices.STREAM_MAX_LEN * 3; i++) {
      notices.publish(MonitorNotices.WORKERS, new JsonObject().put("i", i));
    }
    get(notices.publish(MonitorNotices.WORKERS, new JsonObject().put("last", true)));
    long len = get(store.redis().send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.XLEN)
        .arg(store.keys().monitor()))).toLong();
    // MAXLEN ~ trims whole nodes of the stream: a little above the cap, never unbounded
    assertThat(len).isLessThan(MonitorNotices.STREAM_MAX_LEN * 2L);
    get(store.close());
  }
}
