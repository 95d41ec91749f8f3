package io.emp.jobqueue.queue.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.core.model.JobSpec;
import io.emp.jobqueue.core.model.WorkerCapabilities;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The durable side of the control plane: paused services, the cancel's worker, the drain mark. */
class PauseAndControlTest extends StoreTestSupport {
  static final WorkerCapabilities BOTH = WorkerCapabilities.of("w1", "sim", "other");

  @Test
  void aPausedServiceIsNeverClaimedWhileOthersAreAndResumeHandsItOutAgain() {
    String sim = get(store.submit(JobSpec.of("sim", 90, new JsonObject()))).jobId();
    String other = get(store.submit(JobSpec.of("other", 10, new JsonObject()))).jobId();

    assertThat(get(store.operator().pause("sim"))).isTrue();
    assertThat(get(store.operator().pause("sim"))).as("already paused").isFalse();
    assertThat(get(store.operator().pausedServices())).containsExactly("sim");

    // the better job is in the paused service: the claim skips it and takes the other service's
    ClaimResult first = get(store.claim(BOTH, 10, 60_000));
    assertThat(first.job().orElseThrow().job().id()).isEqualTo(other);
    assertThat(get(store.claim(BOTH, 10, 60_000)).job()).as("nothing claimable while sim is paused").isEmpty();
    // submits are still accepted while paused
    assertThat(get(store.submit(JobSpec.of("sim", 50, new JsonObject()))).created()).isTrue();

    assertThat(get(store.operator().resume("sim"))).isTrue();
    assertThat(get(store.operator().resume("sim"))).as("already running").isFalse();
    assertThat(get(store.operator().pausedServices())).isEmpty();
    assertThat(get(store.claim(BOTH, 10, 60_000)).job().orElseThrow().job().id()).isEqualTo(sim);
  }

  @Test
  void resumeWakesTheServicesWorkers() {
    List<String> woken = new CopyOnWriteArrayList<>();
    Redis sub = Redis.createClient(vertx, new RedisOptions().setConnectionString(redisServer.url()));
    RedisConnection conn = get(sub.connect());
    conn.handler(r -> {
      if ("message".equals(r.get(0).toString())) {
        woken.add(r.get(1).toString());
      }
    });
    get(conn.send(Request.cmd(Command.SUBSCRIBE).arg(store.keys().wake("sim"))));
    get(store.operator().pause("sim"));
    get(store.operator().resume("sim"));
    await().atMost(Duration.ofSeconds(10)).until(() -> woken.contains(store.keys().wake("sim")));
    conn.close();
    sub.close();
  }

  @Test
  void aServiceNameOutsideTheJobShapeIsRefused() {
    assertThatThrownBy(() -> get(store.operator().pause("bad name")))
        .isInstanceOfSatisfying(JobQueueException.class, e -> assertThat(e.code())
            .isEqualTo(JobQueueException.Code.VALIDATION));
    assertThatThrownBy(() -> get(store.operator().resume("")))
        .isInstanceOfSatisfying(JobQueueException.class, e -> assertThat(e.code())
            .isEqualTo(JobQueueException.Code.VALIDATION));
  }

  @Test
  void cancellingARunningJobNamesTheWorkerThatHoldsIt() {
    String waiting = get(store.submit(JobSpec.of("sim", 50, new JsonObject()))).jobId();
    String running = get(store.submit(JobSpec.of("sim", 90, new JsonObject()))).jobId();
    assertThat(get(store.claim(WorkerCapabilities.of("w7", "sim"), 10, 60_000)).job().orElseThrow().job().id())
        .isEqualTo(running);

    assertThat(get(store.cancelJob(running, "stop", null))).isEqualTo(new Cancellation(CancelOutcome.REQUESTED, "w7"));
    assertThat(get(store.cancelJob(waiting, "stop", null))).isEqualTo(new Cancellation(CancelOutcome.CANCELLED, null));
  }

  @Test
  void aDrainMarkIsSetOnlyOnARegisteredMachineAndGoesWithARestart() {
    MachineRegistry registry = MachineRegistry.of(store);
    assertThat(get(registry.requestDrain("ghost", "admin", 1))).isFalse();
    assertThat(get(registry.machine("ghost"))).as("no registration is created for it").isEmpty();

    get(registry.register("m1", "run-1", Map.of("status", "ready"), Map.of(), 60_000, 1));
    assertThat(get(registry.drainRequested("m1"))).isFalse();
    assertThat(get(registry.requestDrain("m1", "admin key of customer 'ops'", 42))).isTrue();
    assertThat(get(registry.drainRequested("m1"))).isTrue();
    assertThat(get(registry.machine("m1")).getString("drain_requested_by")).isEqualTo("admin key of customer 'ops'");
    // a heartbeat keeps it; a new registration (the machine restarted: same id, registering afresh) starts without it
    get(registry.heartbeat("m1", "run-1", List.of(), Map.of("status", "draining"), 60_000, 2));
    assertThat(get(registry.drainRequested("m1"))).isTrue();
    get(registry.register("m1", "run-1", Map.of("status", "starting"), Map.of(), 60_000, 3));
    assertThat(get(registry.drainRequested("m1"))).isFalse();
  }
}
