package io.emp.jobqueue.machine;

import static io.emp.jobqueue.machine.Fixtures.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.core.telemetry.TelemetryConfig;
import io.emp.jobqueue.queue.control.Controls;
import io.emp.jobqueue.queue.monitor.MonitorNotices;
import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.queue.store.MachineRegistry;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.emp.jobqueue.testing.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The machine on the control and monitor planes: drain (by signal or by the mark in Redis) and its notices. */
class MachineControlTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  static TestRedis redis;
  static Vertx vertx;
  static Telemetry telemetry;
  @TempDir
  Path dir;
  StoreConfig storeConfig;
  JobStore store;
  final List<JsonObject> toWorkers = new CopyOnWriteArrayList<>();
  final List<JsonObject> workerNotices = new CopyOnWriteArrayList<>();
  final List<JsonObject> statusEvents = new CopyOnWriteArrayList<>();
  final List<MessageConsumer<JsonObject>> consumers = new CopyOnWriteArrayList<>();
  String deployment;

  @BeforeAll
  static void up() {
    redis = TestRedis.start();
    vertx = Vertx.vertx();
    telemetry = Telemetry.create(TelemetryConfig.DEFAULTS, List.of());
  }

  @AfterAll
  static void down() {
    telemetry.close();
    get(vertx.close());
    redis.close();
  }

  @BeforeEach
  void each() {
    storeConfig = StoreConfig.defaults(redis.url()).withNamespace("mc" + UUID.randomUUID().toString().substring(0, 8));
    store = get(JobStore.connect(vertx, storeConfig));
    consumers.add(vertx.eventBus().consumer(Controls.WORKERS, m -> toWorkers.add(m.body())));
    consumers.add(vertx.eventBus().consumer(MonitorNotices.WORKERS, m -> workerNotices.add(m.body())));
    consumers.add(vertx.eventBus().consumer(MonitorNotices.MACHINES, m -> statusEvents.add(m.body())));
  }

  @AfterEach
  void after() {
    if (deployment != null) {
      get(vertx.undeploy(deployment));
    }
    consumers.forEach(c -> get(c.unregister()));
    get(store.close());
  }

  MachineBootstrap start() {
    return start(io.vertx.core.Future.succeededFuture());
  }

  /** @param gate jobs the test workers hold complete only once it completes */
  MachineBootstrap start(io.vertx.core.Future<Void> gate) {
    MachineProfile profile = MachineProfiles.load(MachineProfileTest.CONF, "sim-test-local-dev");
    MachineConfig cfg = new MachineConfig("mc-" + UUID.randomUUID().toString().substring(0, 6), profile,
        dir.resolve("work"), dir.resolve("cache"), "127.0.0.1", 0, 200, 3_000, 200, "", 3, 10, storeConfig,
        null);
    MachineBootstrapVerticle v = new MachineBootstrapVerticle(cfg, telemetry, new VerticleWorkerDeployer(vertx,
        (slot, machine) -> new TestWorkerVerticle(slot, machine, storeConfig, 20, gate)));
    deployment = get(vertx.deployVerticle(v));
    return v.machine();
  }

  String id(MachineBootstrap m) {
    return m.status(MachineBootstrap.Update.PERIODIC).getString("machine_id");
  }

  @Test
  void aDrainSignalTellsItsWorkersAndShowsInItsStatus() {
    MachineBootstrap m = start();
    String id = id(m);
    vertx.eventBus().send(Controls.machine(id), Controls.drain(id, "ops"));
    await().atMost(WAIT).until(m::draining);
    await().atMost(WAIT).until(() -> toWorkers.contains(Controls.drain(id, "ops")));
    await().atMost(WAIT).until(() -> statusEvents.stream().anyMatch(s -> "draining".equals(s.getString("state"))
        && s.getJsonObject("status").getJsonObject("machine").getBoolean("draining")));
    MachineRegistry registry = MachineRegistry.of(store);
    await().atMost(WAIT).until(() -> "draining".equals(get(registry.machine(id)).getString("status")));
    await().atMost(WAIT).until(() -> workerNotices.stream().anyMatch(n -> id.equals(n.getString("machine_id"))
        && "draining".equals(n.getString("status"))));
  }

  @Test
  void aDrainMarkInRedisReachesAMachineTheBusDoesNot() {
    MachineBootstrap m = start();
    String id = id(m);
    assertThat(m.draining()).isFalse();
    assertThat(get(MachineRegistry.of(store).requestDrain(id, "ops on another node", System.currentTimeMillis())))
        .isTrue();
    // read back at the next heartbeat (every 200 ms here)
    await().atMost(WAIT).until(m::draining);
    await().atMost(WAIT).until(() -> toWorkers.stream().anyMatch(c -> Controls.DRAIN.equals(c.getString("type"))
        && id.equals(c.getString("machine_id"))));
  }

  @Test
  void heartbeatsAndStatusGoToTheBusAndTheRedisMonitorStream() {
    MachineBootstrap m = start();
    String id = id(m);
    await().atMost(WAIT).until(() -> workerNotices.stream().anyMatch(n -> "worker_heartbeat".equals(n.getString("type"))
        && id.equals(n.getString("machine_id")) && n.getJsonArray("worker_ids").size() == 2));
    String stream = get(store.redis().send(Request.cmd(Command.XRANGE).arg(store.keys().monitor()).arg("-").arg("+")))
        .toString();
    assertThat(stream).contains(MonitorNotices.MACHINES).contains(MonitorNotices.WORKERS).contains(id)
        .contains("machine_ready");
  }

  @Test
  void heartbeatsCarryBusySlotsCurrentJobsServicesHealthAndTheStartupDuration() {
    io.vertx.core.Promise<Void> gate = io.vertx.core.Promise.promise();
    MachineBootstrap m = start(gate.future());
    String id = id(m);
    MachineRegistry registry = MachineRegistry.of(store);
    await().atMost(WAIT).until(() -> "0".equals(get(registry.machine(id)).getString("slots_busy")));
    JsonObject idle = get(registry.machine(id));
    assertThat(idle.getString("slots_total")).isEqualTo("2");
    assertThat(Long.parseLong(idle.getString("startup_duration_ms"))).isNotNegative();
    assertThat(new JsonObject(idle.getString("health")).fieldNames()).as("supervised services by name")
        .hasSize(m.supervisor().processes().size());

    String jobId = get(store.submit(io.emp.jobqueue.core.model.JobSpec.of(m.slots().get(0).type(), 50,
        new JsonObject()))).jobId();
    await().atMost(WAIT).until(() -> "1".equals(get(registry.machine(id)).getString("slots_busy")));
    assertThat(get(registry.machine(id)).getString("current_jobs")).isEqualTo("[\"" + jobId + "\"]");
    JsonObject busyWorker = get(registry.workers()).stream().filter(w -> "busy".equals(w.getString("status")))
        .findFirst().orElseThrow();
    assertThat(busyWorker.getString("current_job_id")).isEqualTo(jobId);
    assertThat(busyWorker.getString("machine_id")).isEqualTo(id);
    await().atMost(WAIT).until(() -> workerNotices.stream().anyMatch(n -> "worker_heartbeat".equals(n.getString("type"))
        && id.equals(n.getString("machine_id")) && n.getInteger("slots_busy", 0) == 1
        && n.getJsonArray("current_jobs").contains(jobId)));

    gate.complete();
    await().atMost(WAIT).until(() -> "0".equals(get(registry.machine(id)).getString("slots_busy")));
    assertThat(get(registry.workers())).allMatch(w -> "idle".equals(w.getString("status")));
  }
}
