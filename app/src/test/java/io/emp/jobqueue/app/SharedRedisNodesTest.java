package io.emp.jobqueue.app;

import static io.emp.jobqueue.app.Futures.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emp.jobqueue.app.NodeConfig.Role;
import io.emp.jobqueue.testing.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two nodes that are NOT clustered and share only Redis: an API node (with its own queue) and a
 * machine node, each with its own Vert.x. The monitor plane and the controls still reach across:
 * machine status and worker heartbeats through the Redis monitor stream, pause through the paused
 * set and the wake channel, drain through the mark in the machine's registration; a reload
 * re-reads the machine node's config file.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SharedRedisNodesTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final String KEY = "shared-redis-admin-key-0123456789";

  TestRedis redis;
  Node api;
  Node machine;
  Path dir;
  Path machineConfig;
  Vertx client;
  WebClient http;
  int port;
  final List<JsonObject> monitor = new CopyOnWriteArrayList<>();

  @BeforeAll
  void start() throws Exception {
    redis = TestRedis.start();
    dir = Files.createTempDirectory("emp-shared-redis-");
    String ns = "sr" + UUID.randomUUID().toString().substring(0, 8);
    JsonObject base = new JsonObject()
        .put("queue", new JsonObject().put("store", new JsonObject().put("redis_url", redis.url()).put("namespace", ns)))
        .put("gateway", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        .put("telemetry", new JsonObject().put("environment", "test"))
        .put("machine", new JsonObject().put("profile", "sim-test-local-dev").put("machine_id", "shared-m1")
            .put("profiles_dir", DocumentedTraceTest.conf("machines").toString())
            .put("work_dir", dir.resolve("machine").toString()).put("health_host", "127.0.0.1").put("health_port", 0)
            .put("heartbeat_interval_ms", 200).put("status_interval_ms", 300).put("registration_ttl_ms", 3_000))
        .put("worker", new JsonObject().put("concurrency", 2).put("results_dir", dir.resolve("results").toString())
            .put("connectors", new JsonObject().put("simulation", new JsonObject().put("steps", 1).put("step_ms", 1))));
    api = get(Node.start(new NodeConfig(Set.of(Role.API), base, dir), Map.of("EMP_API_KEYS", KEY + ":*:admin"), false));
    String line = api.lines().stream().filter(l -> l.startsWith("HTTP API")).findFirst().orElseThrow();
    port = Integer.parseInt(line.replaceAll(".*:(\\d+)/api/jobs.*", "$1"));

    client = Vertx.vertx();
    http = WebClient.create(client);
    // the handler is set on the socket's own event loop as it opens, so no first message slips past it
    get(client.createWebSocketClient().connect(new WebSocketConnectOptions().setHost("127.0.0.1")
        .setPort(port).setURI("/ws/monitor").addHeader("Authorization", "Bearer " + KEY))
        .map(ws -> ws.textMessageHandler(t -> monitor.add(new JsonObject(t)))));
    await().atMost(WAIT).until(() -> has(type("full_state_snapshot")));

    // the machine node re-reads this file on a reload
    machineConfig = dir.resolve("machine.json");
    Files.writeString(machineConfig, base.encodePrettily());
    machine = get(Node.start(new NodeConfig(Set.of(Role.MACHINE), base, dir), Map.of(), false,
        () -> NodeConfig.load(Flags.parse(new String[] {"--roles", "machine", "--config", machineConfig.toString()}),
            Map.of(), dir)));
  }

  @AfterAll
  void stop() throws Exception {
    if (machine != null) {
      get(machine.stop());
    }
    if (api != null) {
      get(api.stop());
    }
    if (client != null) {
      get(client.close());
    }
    redis.close();
  }

  @Test
  @Order(1)
  void theApiNodesMonitorSeesTheOtherNodesMachineAndWorkers() {
    await().atMost(WAIT).until(() -> has(type("machine_status").and(m -> "shared-m1".equals(m.getString("machine_id"))
        && "machine_ready".equals(m.getString("update_type")))));
    await().atMost(WAIT).until(() -> has(type("worker_heartbeat").and(m -> "shared-m1".equals(m.getString("machine_id"))
        && m.getJsonArray("worker_ids").size() == 2)));
    // what the machine's heartbeats report reaches the API node through the registry and the monitor stream
    await().atMost(WAIT).until(() -> has(type("worker_heartbeat").and(m -> "shared-m1".equals(m.getString("machine_id"))
        && m.getInteger("slots_total", 0) == 4 && m.getJsonArray("workers", new io.vertx.core.json.JsonArray()).size() == 2)));
    JsonObject m = await().atMost(WAIT).until(() -> getJson("/api/machines").getJsonArray("machines").stream()
        .map(o -> (JsonObject) o).filter(x -> "shared-m1".equals(x.getString("machine_id"))).findFirst().orElse(null),
        x -> x != null && x.getLong("startup_duration_ms") != null);
    assertThat(m.getString("profile")).isEqualTo("sim-test-local-dev");
    assertThat(m.getInteger("slots_total")).as("2 workers, concurrency 2").isEqualTo(4);
    assertThat(m.getJsonArray("services").getList()).containsExactly("simulation");
    assertThat(m.getString("node_id")).isNotBlank();
    List<JsonObject> workers = getJson("/api/workers").getJsonArray("workers").stream().map(o -> (JsonObject) o)
        .filter(w -> "shared-m1".equals(w.getString("machine_id"))).toList();
    assertThat(workers).hasSize(2).allMatch(w -> w.getJsonArray("services").contains("simulation")
        && w.getString("status") != null && w.getLong("last_heartbeat") != null);
  }

  @Test
  @Order(2)
  void aFailedJobRetriedByAnOperatorRunsAgainOnTheOtherNodeUnderANewTrace() {
    var r = get(http.post(port, "127.0.0.1", "/api/jobs").bearerTokenAuthentication(KEY)
        .sendJsonObject(new JsonObject().put("service_required", "simulation").put("max_retries", 0)
            .put("payload", new JsonObject().put("fail", "permanent"))));
    String id = r.bodyAsJsonObject().getString("job_id");
    String firstTrace = r.bodyAsJsonObject().getString("trace_id");
    await().atMost(WAIT).until(() -> "failed".equals(status(id)));
    JsonObject retried = post("/api/jobs/" + id + "/retry");
    assertThat(retried.getString("previous_trace_id")).isEqualTo(firstTrace);
    // the payload fails it again: the new run ran on the machine node, and the chain spans both runs
    await().atMost(WAIT).until(() -> "failed".equals(status(id)) && job(id).getJsonArray("errors").size() == 2);
    JsonObject j = job(id);
    assertThat(j.getInteger("attempts")).isEqualTo(2);
    assertThat(j.getJsonArray("previous_trace_ids").getList()).containsExactly(firstTrace);
    assertThat(j.getJsonArray("errors").getJsonObject(0).getString("trace_id")).isEqualTo(firstTrace);
    assertThat(j.getJsonArray("errors").getJsonObject(1).getString("trace_id")).isEqualTo(retried.getString("trace_id"));
    assertThat(j.getJsonArray("errors").getJsonObject(1).getString("worker_id")).startsWith("shared-m1");
  }

  @Test
  @Order(3)
  void aPauseStopsClaimsOnTheOtherNodeAndAResumeWakesItsWorkers() throws Exception {
    assertThat(post("/api/queues/simulation/pause").getBoolean("paused")).isTrue();
    String id = submit();
    // the claim script skips the paused service: no bus reaches the other node, and none is needed
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> "pending".equals(status(id)));
    assertThat(post("/api/queues/simulation/resume").getBoolean("paused")).isFalse();
    await().atMost(WAIT).until(() -> "completed".equals(status(id)));
  }

  @Test
  @Order(4)
  void aReloadAppliesTheNewConnectorSettingsToJobsStartedAfterIt() throws Exception {
    JsonObject cfg = new JsonObject(Files.readString(machineConfig));
    cfg.getJsonObject("worker").getJsonObject("connectors").getJsonObject("simulation").put("steps", 3);
    cfg.getJsonObject("worker").put("concurrency", 3);
    Files.writeString(machineConfig, cfg.encodePrettily());
    assertThat(get(machine.reload("test"))).hasSize(2).allMatch(r -> r.worker() && r.connector());
    String id = submit();
    await().atMost(WAIT).until(() -> "completed".equals(status(id)));
    assertThat(job(id).getJsonObject("result").getInteger("steps")).isEqualTo(3);
  }

  @Test
  @Order(5)
  void aDrainReachesTheOtherNodeThroughItsRegistration() throws Exception {
    assertThat(post("/api/machines/shared-m1/drain")).isEqualTo(new JsonObject().put("machine_id", "shared-m1")
        .put("draining", true));
    await().atMost(WAIT).until(() -> has(type("machine_status").and(m -> "shared-m1".equals(m.getString("machine_id"))
        && "draining".equals(m.getString("state")))));
    await().atMost(WAIT).until(() -> has(type("control").or(type("machine_drain_requested"))
        .and(m -> "shared-m1".equals(m.getString("machine_id")))));
    String id = submit();
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> "pending".equals(status(id)));
  }

  private boolean has(Predicate<JsonObject> p) {
    return monitor.stream().anyMatch(p);
  }

  private static Predicate<JsonObject> type(String t) {
    return m -> t.equals(m.getString("type"));
  }

  private String submit() {
    var r = get(http.post(port, "127.0.0.1", "/api/jobs").bearerTokenAuthentication(KEY)
        .sendJsonObject(new JsonObject().put("service_required", "simulation").put("payload", new JsonObject())));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    return r.bodyAsJsonObject().getString("job_id");
  }

  private JsonObject post(String path) {
    var r = get(http.post(port, "127.0.0.1", path).bearerTokenAuthentication(KEY).send());
    assertThat(r.statusCode()).as(path + ": " + r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject();
  }

  private JsonObject job(String id) {
    return get(http.get(port, "127.0.0.1", "/api/jobs/" + id).bearerTokenAuthentication(KEY).send()).bodyAsJsonObject();
  }

  private JsonObject getJson(String path) {
    var r = get(http.get(port, "127.0.0.1", path).bearerTokenAuthentication(KEY).send());
    assertThat(r.statusCode()).as(path + ": " + r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject();
  }

  private String status(String id) {
    return job(id).getString("status");
  }
}
