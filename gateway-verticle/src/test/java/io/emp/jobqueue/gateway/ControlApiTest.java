package io.emp.jobqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emp.jobqueue.queue.control.Controls;
import io.emp.jobqueue.queue.monitor.MonitorNotices;
import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.queue.store.MachineRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The admin routes of the control plane, and the monitor sockets' view of the monitor plane. */
class ControlApiTest extends GatewayTestSupport {
  static final Duration WAIT = Duration.ofSeconds(20);

  @BeforeAll
  static void start() {
    startStack(new JsonObject());
  }

  @Test
  void controlRoutesNeedAnAdminKey() {
    for (String[] route : new String[][] {{"GET", "/api/cluster"}, {"GET", "/api/queues"},
        {"POST", "/api/queues/x/pause"}, {"POST", "/api/queues/x/resume"}, {"POST", "/api/machines/m/drain"},
        {"POST", "/api/workers/reload"}, {"GET", "/api/machines"}, {"GET", "/api/workers"}}) {
      var req = route[0].equals("GET") ? http.get(port(), "127.0.0.1", route[1]) : http.post(port(), "127.0.0.1", route[1]);
      var res = get(req.bearerTokenAuthentication(KEY_A).send());
      assertThat(res.statusCode()).as(route[1]).isEqualTo(403);
      assertThat(get((route[0].equals("GET") ? http.get(port(), "127.0.0.1", route[1])
          : http.post(port(), "127.0.0.1", route[1])).send()).statusCode()).as(route[1]).isEqualTo(401);
    }
  }

  @Test
  void pauseAndResumeAnswerTheContractAndShowInTheQueueList() {
    String svc = newService();
    submitHttp(KEY_A, new JsonObject().put("service_required", svc).put("payload", new JsonObject()));
    var paused = get(http.post(port(), "127.0.0.1", "/api/queues/" + svc + "/pause")
        .bearerTokenAuthentication(KEY_ADMIN).send());
    assertThat(paused.statusCode()).isEqualTo(200);
    assertThat(paused.bodyAsJsonObject()).isEqualTo(new JsonObject().put("service", svc).put("paused", true));

    JsonObject queue = queue(svc);
    assertThat(queue.getBoolean("paused")).isTrue();
    assertThat(queue.getLong("pending")).isEqualTo(1);
    assertThat(queue.getLong("active")).isZero();
    assertThat(queue.getLong("delayed")).isZero();

    var resumed = get(http.post(port(), "127.0.0.1", "/api/queues/" + svc + "/resume")
        .bearerTokenAuthentication(KEY_ADMIN).send());
    assertThat(resumed.bodyAsJsonObject()).isEqualTo(new JsonObject().put("service", svc).put("paused", false));
    assertThat(queue(svc).getBoolean("paused")).isFalse();

    var bad = get(http.post(port(), "127.0.0.1", "/api/queues/bad%20name/pause").bearerTokenAuthentication(KEY_ADMIN)
        .send());
    assertThat(bad.statusCode()).isEqualTo(400);
  }

  @Test
  void aMonitorSocketSeesThePauseWithWhoAskedForIt() {
    TestSocket mon = TestSocket.open(wsClient, port(), "/ws/monitor", KEY_ADMIN);
    mon.awaitType("full_state_snapshot", null);
    String svc = newService();
    get(http.post(port(), "127.0.0.1", "/api/queues/" + svc + "/pause").putHeader("X-Request-Id", "req-audit-1")
        .bearerTokenAuthentication(KEY_ADMIN).send());
    JsonObject event = mon.await(m -> "queue_paused".equals(m.getString("type")) && svc.equals(m.getString("service")));
    assertThat(event.getString("by")).contains("admin key of customer '*'").contains("127.0.0.1")
        .contains("req-audit-1").doesNotContain(KEY_ADMIN);
    mon.close();
  }

  @Test
  void drainIsNotFoundForAnUnknownMachineAndReachesAKnownOne() {
    var missing = get(http.post(port(), "127.0.0.1", "/api/machines/nobody/drain")
        .bearerTokenAuthentication(KEY_ADMIN).send());
    assertThat(missing.statusCode()).isEqualTo(404);

    List<JsonObject> toMachine = new CopyOnWriteArrayList<>();
    get(vertx.eventBus().<JsonObject>consumer(Controls.machine("gw-m1"), m -> toMachine.add(m.body())).completion());
    get(MachineRegistry.of(store).register("gw-m1", "run-1", Map.of("status", "ready"), Map.of(), 60_000, 1));
    var drained = get(http.post(port(), "127.0.0.1", "/api/machines/gw-m1/drain")
        .bearerTokenAuthentication(KEY_ADMIN).send());
    assertThat(drained.statusCode()).isEqualTo(200);
    assertThat(drained.bodyAsJsonObject()).isEqualTo(new JsonObject().put("machine_id", "gw-m1").put("draining", true));
    await().atMost(WAIT).until(() -> toMachine.size() == 1);
  }

  @Test
  void theClusterOfANodeOnItsOwnIsThatNode() {
    JsonObject c = get(http.get(port(), "127.0.0.1", "/api/cluster").bearerTokenAuthentication(KEY_ADMIN).send())
        .bodyAsJsonObject();
    assertThat(c.getBoolean("clustered")).isFalse();
    assertThat(c.getJsonArray("members")).hasSize(1);
    assertThat(c.getJsonArray("members").getJsonObject(0).getString("node_id")).isEqualTo(c.getString("node_id"));
  }

  @Test
  void reloadIsRequested() {
    var r = get(http.post(port(), "127.0.0.1", "/api/workers/reload").bearerTokenAuthentication(KEY_ADMIN).send());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getString("reload")).isEqualTo("requested");
  }

  @Test
  void monitorSocketsGetMachineNoticesFromThisNodeAndFromNodesThatShareOnlyRedis() {
    TestSocket mon = TestSocket.open(wsClient, port(), "/ws/monitor", KEY_ADMIN);
    mon.awaitType("full_state_snapshot", null);
    // this node's own bus
    vertx.eventBus().publish(MonitorNotices.MACHINES, new JsonObject().put("machine_id", "local-m")
        .put("update_type", "periodic"));
    JsonObject local = mon.await(m -> "local-m".equals(m.getString("machine_id")));
    assertThat(local.getString("type")).isEqualTo("machine_status");

    // another node, not clustered: its notices come through the Redis monitor stream
    Vertx other = Vertx.vertx();
    try {
      JobStore otherStore = get(JobStore.connect(other, storeCfg));
      get(MonitorNotices.of(other, otherStore).publish(MonitorNotices.WORKERS, new JsonObject()
          .put("type", "worker_heartbeat").put("machine_id", "remote-m")));
      mon.await(m -> "worker_heartbeat".equals(m.getString("type")) && "remote-m".equals(m.getString("machine_id")));
      get(otherStore.close());
    } finally {
      get(other.close());
    }
    mon.close();
  }

  private static JsonObject queue(String svc) {
    JsonObject all = get(http.get(port(), "127.0.0.1", "/api/queues").bearerTokenAuthentication(KEY_ADMIN).send())
        .bodyAsJsonObject();
    return all.getJsonArray("queues").stream().map(o -> (JsonObject) o).filter(q -> svc.equals(q.getString("service")))
        .findFirst().orElseThrow();
  }

  @Test
  void machinesAndWorkersAreListedFromTheRegistryWithWhatTheirHeartbeatsReport() {
    MachineRegistry registry = MachineRegistry.of(store);
    long now = System.currentTimeMillis();
    get(registry.register("gw-m2", "run-2", Map.of("machine_id", "gw-m2", "profile", "sim-2", "status", "starting",
        "gpu_count", "2", "services", "[\"simulation\"]", "started_at", Long.toString(now - 5_000), "node_id", "n1"),
        Map.of("gw-m2-w0", Map.of("worker_id", "gw-m2-w0", "machine_id", "gw-m2", "services", "[\"simulation\"]"),
            "gw-m2-w1", Map.of("worker_id", "gw-m2-w1", "machine_id", "gw-m2", "services", "[\"simulation\"]")),
        60_000, now));
    get(registry.heartbeat("gw-m2", "run-2", List.of("gw-m2-w0", "gw-m2-w1"), Map.of("status", "ready",
            "slots_busy", "1", "slots_total", "2", "current_jobs", "[\"job-9\"]", "startup_duration_ms", "4200",
            "health", "{\"comfyui-0\":\"healthy\"}"),
        Map.of("gw-m2-w0", Map.of("status", "busy", "current_job_id", "job-9", "capabilities",
            "{\"services\":[\"simulation\"]}"), "gw-m2-w1", Map.of("status", "idle", "current_job_id", "")),
        60_000, now + 1));

    JsonObject machine = get(http.get(port(), "127.0.0.1", "/api/machines").bearerTokenAuthentication(KEY_ADMIN).send())
        .bodyAsJsonObject().getJsonArray("machines").stream().map(o -> (JsonObject) o)
        .filter(m -> "gw-m2".equals(m.getString("machine_id"))).findFirst().orElseThrow();
    assertThat(machine.getString("profile")).isEqualTo("sim-2");
    assertThat(machine.getString("status")).isEqualTo("ready");
    assertThat(machine.getString("node_id")).isEqualTo("n1");
    assertThat(machine.getInteger("gpus")).isEqualTo(2);
    assertThat(machine.getJsonArray("services").getList()).containsExactly("simulation");
    assertThat(machine.getInteger("slots_busy")).isEqualTo(1);
    assertThat(machine.getInteger("slots_total")).isEqualTo(2);
    assertThat(machine.getJsonArray("current_jobs").getList()).containsExactly("job-9");
    assertThat(machine.getLong("last_heartbeat")).isEqualTo(now + 1);
    assertThat(machine.getLong("started_at")).isEqualTo(now - 5_000);
    assertThat(machine.getLong("startup_duration_ms")).isEqualTo(4200);
    assertThat(machine.getJsonObject("health")).isEqualTo(new JsonObject().put("comfyui-0", "healthy"));
    assertThat(machine.getBoolean("draining")).isFalse();

    var workers = get(http.get(port(), "127.0.0.1", "/api/workers").bearerTokenAuthentication(KEY_ADMIN).send())
        .bodyAsJsonObject().getJsonArray("workers").stream().map(o -> (JsonObject) o)
        .filter(w -> "gw-m2".equals(w.getString("machine_id"))).toList();
    assertThat(workers).hasSize(2);
    JsonObject busy = workers.stream().filter(w -> "gw-m2-w0".equals(w.getString("worker_id"))).findFirst().orElseThrow();
    assertThat(busy.getString("status")).isEqualTo("busy");
    assertThat(busy.getString("current_job_id")).isEqualTo("job-9");
    assertThat(busy.getLong("last_heartbeat")).isEqualTo(now + 1);
    assertThat(busy.getJsonArray("services").getList()).containsExactly("simulation");
    assertThat(busy.getJsonObject("capabilities").getJsonArray("services").getList()).containsExactly("simulation");
    JsonObject idle = workers.stream().filter(w -> "gw-m2-w1".equals(w.getString("worker_id"))).findFirst().orElseThrow();
    assertThat(idle.getString("status")).isEqualTo("idle");
    assertThat(idle.containsKey("current_job_id")).isTrue();
    assertThat(idle.getValue("current_job_id")).isNull();

    // a machine that stops without unregistering disappears once its registration expires
    get(registry.register("gw-m3", "run-3", Map.of("machine_id", "gw-m3", "status", "ready"), Map.of(), 300,
        System.currentTimeMillis()));
    await().atMost(WAIT).until(() -> !machineIds().contains("gw-m3"));
    assertThat(machineIds()).contains("gw-m2");
  }

  private static List<String> machineIds() {
    return get(http.get(port(), "127.0.0.1", "/api/machines").bearerTokenAuthentication(KEY_ADMIN).send())
        .bodyAsJsonObject().getJsonArray("machines").stream().map(o -> ((JsonObject) o).getString("machine_id"))
        .toList();
  }
}
