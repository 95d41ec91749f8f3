package io.emp.jobqueue.app;

import static io.emp.jobqueue.app.E2e.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emp.jobqueue.testing.TestRedis;
import io.emp.jobqueue.worker.connectors.comfyui.FakeComfyUi;
import io.emp.jobqueue.worker.connectors.comfyui.Graphs;
import io.emp.jobqueue.worker.connectors.openai.FakeOpenAi;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every connector, run from the packaged fat jar: an API node ({@code --roles api}) and a machine node
 * ({@code --roles machine}) as child JVMs, the machine with one worker per connector wired to fakes
 * that speak the real protocols (started in this JVM), and one job per connector through the HTTP API.
 * Tests on the reactor class path cannot see what the shade plugin left out of the jar; this one can.
 *
 * <p><b>A new connector adds one entry to {@link #CONNECTORS}</b>: its worker spec, how the machine
 * reaches its backend, one job, and what the job's result must show.
 */
class ConnectorsJarIT {
  static final Duration WAIT = Duration.ofSeconds(60);
  static final String OPENAI_KEY = "sk-jar-it-not-a-real-key-0123456789";
  static final String MACHINE_ID = "jar-it-machine";

  /** The backends, started in this JVM for the child machine node to call. */
  record Backends(FakeComfyUi comfy, FakeOpenAi openai) {
  }

  /** What a connector adds to the machine node: its "worker.connectors" config and its environment. */
  record Wiring(JsonObject connectors, Map<String, String> env) {
  }

  /**
   * One connector under test.
   *
   * @param workers the EMP_WORKERS entry that deploys its worker
   * @param service the service_required of its job
   */
  record Connector(String workers, String service, BiConsumer<Backends, Wiring> wire,
                   Function<Backends, JsonObject> payload, BiConsumer<Backends, JsonObject> verify) {
  }

  static final List<Connector> CONNECTORS = List.of(
      new Connector("simulation:1", "simulation",
          (b, w) -> w.connectors().put("simulation", new JsonObject().put("steps", 2).put("step_ms", 20)),
          b -> new JsonObject().put("steps", 2).put("step_ms", 20),
          (b, result) -> assertThat(result.getBoolean("simulated")).isTrue()),
      new Connector("comfyui:1:mock_gpu", "comfyui",
          // the slot's mock GPU 0 puts its ComfyUI at base_port + 0
          (b, w) -> w.connectors().put("comfyui", new JsonObject().put("host", "127.0.0.1")
              .put("base_port", b.comfy().port())),
          b -> new JsonObject().put("workflow", Graphs.txt2img(FakeComfyUi.KNOWN_CKPT, 3)),
          (b, result) -> {
            assertThat(b.comfy().accepted()).contains(result.getString("prompt_id"));
            assertThat(result.getJsonArray("outputs")).hasSize(1);
          }),
      new Connector("openai:1", "openai",
          (b, w) -> {
            w.connectors().put("openai", new JsonObject().put("base_url", b.openai().baseUrl()));
            w.env().put("OPENAI_API_KEY", OPENAI_KEY);
          },
          b -> new JsonObject().put("model", "gpt-4o-mini").put("messages", new JsonArray()
              .add(new JsonObject().put("role", "user").put("content", "Say hello"))),
          (b, result) -> {
            assertThat(result.getString("content")).isEqualTo("Hello from the fake.");
            assertThat(b.openai().authHeaders()).contains("Bearer " + OPENAI_KEY);
          }));

  static Vertx vertx;
  @TempDir
  Path tmp;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void vertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() {
    E2e.get(vertx.close());
  }

  @Test
  void everyConnectorCompletesAJobRunFromTheFatJar() throws Exception {
    try (TestRedis redis = TestRedis.start(); FakeComfyUi comfy = new FakeComfyUi(vertx).start();
         FakeOpenAi openai = new FakeOpenAi(vertx, OPENAI_KEY).start()) {
      Backends backends = new Backends(comfy, openai);
      int port = TestRedis.freePort();
      JsonObject machineCfg = FatJarNode.shippedConfig(tmp);
      // beats often, so a duplicate machine id is recognised quickly
      machineCfg.getJsonObject("machine").put("heartbeat_interval_ms", 500).put("registration_ttl_ms", 5_000);
      Map<String, String> machineEnv = new HashMap<>(Map.of("REDIS_URL", redis.url(), "EMP_MACHINE_ID", MACHINE_ID,
          "EMP_WORKERS", CONNECTORS.stream().map(Connector::workers).collect(Collectors.joining(","))));
      Wiring wiring = new Wiring(machineCfg.getJsonObject("worker").getJsonObject("connectors"), machineEnv);
      CONNECTORS.forEach(c -> c.wire().accept(backends, wiring));

      try (FatJarNode api = FatJarNode.start("api", tmp, "api", FatJarNode.shippedConfig(tmp), Map.of(
               "REDIS_URL", redis.url(), "EMP_HTTP_PORT", Integer.toString(port),
               "EMP_API_KEYS", ADMIN_KEY + ":*:admin"));
           FatJarNode machine = FatJarNode.start("machine", tmp, "machine", machineCfg, machineEnv)) {
        api.awaitStarted();
        machine.awaitStarted();

        Map<Connector, String> jobs = new LinkedHashMap<>();
        for (Connector c : CONNECTORS) {
          jobs.put(c, submit(port, c.service(), c.payload().apply(backends)));
        }
        for (Map.Entry<Connector, String> e : jobs.entrySet()) {
          JsonObject done = awaitCompleted(port, e.getValue(), machine);
          e.getKey().verify().accept(backends, done.getJsonObject("result"));
        }

        // A second machine with the same id: the launcher refuses it and exits non-zero; the first one
        // keeps its registration and goes on serving.
        try (FatJarNode duplicate = FatJarNode.start("machine-duplicate", tmp, "machine", machineCfg, machineEnv)) {
          assertThat(duplicate.awaitExit()).as(duplicate.output()).isNotZero();
          assertThat(duplicate.output()).contains("machine id '" + MACHINE_ID + "' is already in use")
              .contains("EMP_MACHINE_ID");
        }
        Connector first = CONNECTORS.get(0);
        JsonObject after = awaitCompleted(port, submit(port, first.service(), first.payload().apply(backends)),
            machine);
        first.verify().accept(backends, after.getJsonObject("result"));

        assertThat(machine.stop()).as(machine.output()).isZero();
        assertThat(api.stop()).as(api.output()).isZero();
      }
    }
  }

  private String submit(int port, String service, JsonObject payload) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/jobs"))
        .header("Authorization", "Bearer " + ADMIN_KEY).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("service_required", service)
            .put("payload", payload).encode())).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return new JsonObject(r.body()).getString("job_id");
  }

  private JsonObject awaitCompleted(int port, String jobId, FatJarNode machine) throws Exception {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
      String status = job(port, jobId).getString("status");
      if ("failed".equals(status) || "cancelled".equals(status)) {
        throw new AssertionError("job " + job(port, jobId).encodePrettily() + "\nmachine output:\n" + machine.output());
      }
      return "completed".equals(status);
    });
    return job(port, jobId);
  }

  private JsonObject job(int port, String jobId) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/jobs/"
        + jobId)).header("Authorization", "Bearer " + ADMIN_KEY).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body());
  }
}
