package io.emp.jobqueue.app;

import io.emp.jobqueue.core.telemetry.Attr;
import io.emp.jobqueue.core.telemetry.ServiceName;
import io.emp.jobqueue.core.telemetry.SpanName;
import static io.emp.jobqueue.app.E2e.ADMIN_KEY;
import static io.emp.jobqueue.app.E2e.child;
import static io.emp.jobqueue.app.E2e.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emp.jobqueue.core.model.JobEvent;
import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.core.telemetry.TelemetryConfig;
import io.emp.jobqueue.gateway.GatewayConfig;
import io.emp.jobqueue.gateway.GatewayVerticle;
import io.emp.jobqueue.machine.Binding;
import io.emp.jobqueue.machine.HardwareInfo;
import io.emp.jobqueue.machine.MachineInfo;
import io.emp.jobqueue.machine.WorkerSlot;
import io.emp.jobqueue.queue.QueueConfig;
import io.emp.jobqueue.queue.QueueVerticle;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.emp.jobqueue.testing.TestRedis;
import io.emp.jobqueue.worker.connectors.comfyui.FakeComfyUi;
import io.emp.jobqueue.worker.connectors.openai.FakeOpenAi;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The assembled product in one Vert.x: a real redis-server, the queue, the gateway and one worker
 * per connector built by the launcher's SlotWorkers (simulation; ComfyUI and OpenAI against fakes
 * that speak the real protocols on real sockets). Each job goes in over HTTP with a real API key, is followed on the /ws WebSocket until
 * complete_job, is read back over HTTP, and its one trace is read from /api/traces.
 */
class EndToEndConnectorsTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final String OPENAI_KEY = "sk-e2e-test-not-a-real-key";

  static TestRedis redis;
  static Vertx vertx;
  static Telemetry telemetry;
  static FakeComfyUi comfy;
  static FakeOpenAi openai;
  static GatewayVerticle gateway;
  static WebClient http;
  static WebSocketClient wsClient;
  static WebSocket monitor;
  @TempDir
  static Path results;

  @BeforeAll
  static void startProduct() {
    redis = TestRedis.start();
    vertx = Vertx.vertx();
    telemetry = Telemetry.create(TelemetryConfig.DEFAULTS, List.of());
    StoreConfig store = StoreConfig.defaults(redis.url()).withNamespace("e2e" + UUID.randomUUID().toString()
        .substring(0, 6));
    get(vertx.deployVerticle(new QueueVerticle(QueueConfig.defaults(store), telemetry)));
    gateway = new GatewayVerticle(GatewayConfig.from(new JsonObject().put("port", 0),
        Map.of(GatewayConfig.ENV_API_KEYS, ADMIN_KEY + ":*:admin")), telemetry, store);
    get(vertx.deployVerticle(gateway));

    comfy = new FakeComfyUi(vertx).start();
    openai = new FakeOpenAi(vertx, OPENAI_KEY).start();
    // Workers are built by the launcher's own wiring (SlotWorkers) from a "worker" config section shaped
    // like conf/emp.json's: the OpenAI key reaches the connector from config (no OPENAI_API_KEY in env).
    JsonObject workerSection = new JsonObject().put("concurrency", 2).put("results_dir", results.toString())
        .put("connectors", new JsonObject()
            .put("simulation", new JsonObject().put("steps", 3).put("step_ms", 20))
            .put("comfyui", new JsonObject().put("host", "127.0.0.1"))
            .put("openai", new JsonObject().put("base_url", openai.baseUrl()).put("api_key", OPENAI_KEY)));
    SlotWorkers slots = new SlotWorkers(vertx, workerSection, telemetry, store, Map.of());
    MachineInfo machine = new MachineInfo("e2e-machine", "e2e", new HardwareInfo(List.of(), 4, 16.0, 100.0));
    get(vertx.deployVerticle(slots.create(new WorkerSlot("w-sim", "simulation", 0, Binding.CPU, null, null), machine)));
    // the machine binds a ComfyUI slot to its service instance's port
    get(vertx.deployVerticle(slots.create(new WorkerSlot("w-comfy", "comfyui", 1, Binding.CPU, null, comfy.port()),
        machine)));
    get(vertx.deployVerticle(slots.create(new WorkerSlot("w-openai", "openai", 2, Binding.CPU, null, null), machine)));

    http = WebClient.create(vertx);
    wsClient = vertx.createWebSocketClient();
    // A monitor socket receives every job event live from the first one on, so each job's events are
    // broadcast (and traced as websocket.event.broadcast) however fast the job runs.
    List<JsonObject> monitorMessages = new CopyOnWriteArrayList<>();
    // the handler is set on the event loop as the connection completes, before any message is read
    monitor = get(wsClient.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.actualPort())
        .setURI("/ws/monitor").addHeader("Authorization", "Bearer " + ADMIN_KEY))
        .onSuccess(ws -> ws.textMessageHandler(t -> monitorMessages.add(new JsonObject(t)))));
    // the snapshot comes once the gateway has registered the monitor
    await().atMost(WAIT).until(() -> monitorMessages.stream()
        .anyMatch(m -> "full_state_snapshot".equals(m.getString("type"))));
  }

  @AfterAll
  static void stopProduct() {
    if (monitor != null) {
      monitor.close();
    }
    if (vertx != null) {
      get(vertx.close());
    }
    if (telemetry != null) {
      telemetry.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void simulationJobCompletesWithOneTrace() {
    Done done = runJob("simulation", new JsonObject().put("steps", 3).put("step_ms", 20));
    JsonObject result = done.job.getJsonObject("result");
    assertThat(result.getBoolean("simulated")).isTrue();
    assertThat(result.getInteger("steps")).isEqualTo(3);

    JsonObject external = traceChain(done.jobId, "emp-simulation-worker");
    assertThat(external.getString("service")).isEqualTo("emp-simulation-worker");
  }

  @Test
  void comfyUiJobStoresTheFakesImageAndTracesTheWorkflow() throws Exception {
    Done done = runJob("comfyui", new JsonObject().put("workflow", txt2img(4)));
    JsonObject result = done.job.getJsonObject("result");
    assertThat(comfy.accepted()).contains(result.getString("prompt_id"));
    // the worker talked to the ComfyUI instance its slot is bound to
    assertThat(result.getString("endpoint")).isEqualTo("http://127.0.0.1:" + comfy.port());
    JsonArray outputs = result.getJsonArray("outputs");
    assertThat(outputs).hasSize(1);
    Path file = Path.of(URI.create(outputs.getJsonObject(0).getString("uri")));
    assertThat(file).startsWith(results.toAbsolutePath());
    assertThat(Files.readAllBytes(file)).isEqualTo(FakeComfyUi.PNG);
    // the WebSocket's complete_job carries the same result the HTTP read returns
    assertThat(done.completeEvent.getJsonObject("result").getString("prompt_id"))
        .isEqualTo(result.getString("prompt_id"));

    JsonObject external = traceChain(done.jobId, "emp-comfyui-worker");
    JsonObject execute = child(external, SpanName.COMFYUI_EXECUTE);
    assertThat(execute.getString("service")).isEqualTo("emp-comfyui-worker");
    assertThat(execute.getJsonObject("attributes").getString(Attr.COMFYUI_PROMPT_ID))
        .isEqualTo(result.getString("prompt_id"));
  }

  @Test
  void openAiChatJobReturnsTheFakesAnswerAndTracesTheCall() {
    Done done = runJob("openai", new JsonObject().put("model", "gpt-4o-mini")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "Say hello"))));
    JsonObject result = done.job.getJsonObject("result");
    assertThat(result.getString("operation")).isEqualTo("chat");
    assertThat(result.getString("content")).isEqualTo("Hello from the fake.");
    assertThat(openai.authHeaders()).contains("Bearer " + OPENAI_KEY);

    JsonObject external = traceChain(done.jobId, "emp-openai-worker");
    JsonObject call = child(external, SpanName.OPENAI_CALL);
    assertThat(call.getString("service")).isEqualTo("emp-openai-worker");
    assertThat(call.getJsonObject("attributes").getString(Attr.OPENAI_ENDPOINT)).isEqualTo("/chat/completions");
    // the API key is configuration, never telemetry
    assertThat(call.encode()).doesNotContain(OPENAI_KEY);
  }

  @Test
  void openAiImageJobStoresTheDecodedImage() throws Exception {
    Done done = runJob("openai_image", new JsonObject().put("model", "gpt-image-1").put("prompt", "a red fox"));
    JsonObject result = done.job.getJsonObject("result");
    assertThat(result.getString("operation")).isEqualTo("generate_image");
    Path file = Path.of(URI.create(result.getJsonArray("images").getJsonObject(0).getString("uri")));
    assertThat(Files.readAllBytes(file)).isEqualTo(FakeOpenAi.PNG);

    JsonObject external = traceChain(done.jobId, "emp-openai-worker");
    assertThat(child(external, SpanName.OPENAI_CALL).getJsonObject("attributes").getString(Attr.OPENAI_ENDPOINT))
        .isEqualTo("/images/generations");
  }

  // ---- one job through the product ------------------------------------------------------------

  private record Done(String jobId, JsonObject completeEvent, JsonObject job) {
  }

  /** Submit over HTTP, follow /ws until complete_job, then read the job over HTTP. */
  private static Done runJob(String service, JsonObject payload) {
    HttpResponse<Buffer> submitted = get(http.post(gateway.actualPort(), "127.0.0.1", "/api/jobs")
        .bearerTokenAuthentication(ADMIN_KEY)
        .sendJsonObject(new JsonObject().put("service_required", service).put("payload", payload)));
    assertThat(submitted.statusCode()).as(submitted.bodyAsString()).isEqualTo(201);
    String jobId = submitted.bodyAsJsonObject().getString("job_id");

    List<JsonObject> received = new CopyOnWriteArrayList<>();
    WebSocket ws = get(wsClient.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
        .setPort(gateway.actualPort()).setURI("/ws").addHeader("Authorization", "Bearer " + ADMIN_KEY)));
    try {
      ws.textMessageHandler(s -> received.add(new JsonObject(s)));
      // last_seq 0 replays from the job's stream, so events sent before the subscription are not missed
      get(ws.writeTextMessage(new JsonObject().put("type", "subscribe").put("job_id", jobId).put("last_seq", 0)
          .encode()));
      await().atMost(WAIT).until(() -> received.stream().anyMatch(m -> jobId.equals(m.getString("job_id"))
          && ("complete_job".equals(m.getString("type")) || "job_failed".equals(m.getString("type")))));
    } finally {
      ws.close();
    }
    List<String> types = received.stream().filter(m -> jobId.equals(m.getString("job_id")) && m.containsKey("seq")
        && !"subscribed".equals(m.getString("type"))).map(m -> m.getString("type")).toList();
    assertThat(types).as("events of " + jobId).startsWith("job_submitted", "job_assigned").endsWith("complete_job")
        .doesNotContain("job_failed");
    JsonObject complete = received.stream().filter(m -> "complete_job".equals(m.getString("type"))).findFirst()
        .orElseThrow();

    HttpResponse<Buffer> read = get(http.get(gateway.actualPort(), "127.0.0.1", "/api/jobs/" + jobId)
        .bearerTokenAuthentication(ADMIN_KEY).send());
    assertThat(read.statusCode()).isEqualTo(200);
    JsonObject job = read.bodyAsJsonObject();
    assertThat(job.getString("status")).isEqualTo("completed");
    return new Done(jobId, complete, job);
  }

  /**
   * Asserts the job has exactly one trace, with the chain http.request.received -> redis.job.submit
   * -> redis.job.claim -> job.processing -> external_service.call and the seed's service names, and
   * returns the external_service.call node.
   */
  private static JsonObject traceChain(String jobId, String workerService) {
    // the worker ends job.processing just after its completion is visible: wait for the whole chain
    JsonObject[] holder = new JsonObject[1];
    try {
      await().atMost(WAIT).until(() -> {
        HttpResponse<Buffer> r = get(http.get(gateway.actualPort(), "127.0.0.1", "/api/traces?job_id=" + jobId)
            .bearerTokenAuthentication(ADMIN_KEY).send());
        holder[0] = new JsonObject().put("status", r.statusCode()).put("body", r.bodyAsString());
        if (r.statusCode() != 200) {
          return false;
        }
        holder[0] = r.bodyAsJsonObject();
        JsonArray traces = holder[0].getJsonArray("traces");
        return traces.size() == 1 && E2e.hasDescendant(traces.getJsonObject(0), SpanName.EXTERNAL_CALL)
            && E2e.hasDescendant(traces.getJsonObject(0), SpanName.JOB_PROCESSING)
            && completeBroadcast(traces.getJsonObject(0)) != null;
      });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("no single complete trace for " + jobId + "; last answer: "
          + (holder[0] == null || !holder[0].containsKey("traces") ? holder[0] : summary(holder[0])), e);
    }
    JsonArray traces = holder[0].getJsonArray("traces");
    assertThat(traces).hasSize(1);
    JsonObject tree = traces.getJsonObject(0);
    JsonArray roots = tree.getJsonArray("roots");
    assertThat(roots).hasSize(1);
    JsonObject root = roots.getJsonObject(0);
    assertThat(root.getString("name")).isEqualTo(SpanName.HTTP_REQUEST);
    assertThat(root.getString("service")).isEqualTo(ServiceName.API);
    JsonObject submit = child(root, SpanName.REDIS_SUBMIT);
    assertThat(submit.getString("service")).isEqualTo(ServiceName.API);
    assertThat(submit.getJsonObject("attributes").getString(Attr.JOB_ID)).isEqualTo(jobId);
    JsonObject claim = child(submit, SpanName.REDIS_CLAIM);
    assertThat(claim.getString("service")).isEqualTo(ServiceName.WORKER);
    JsonObject processing = child(claim, SpanName.JOB_PROCESSING);
    assertThat(processing.getString("service")).isEqualTo(workerService);
    assertThat(processing.getJsonObject("attributes").getString(Attr.JOB_ID)).isEqualTo(jobId);
    JsonObject external = child(processing, SpanName.EXTERNAL_CALL);
    assertThat(external.getString("service")).isEqualTo(workerService);
    // the trace ends with the WebSocket message that tells the client the job is done
    JsonObject broadcast = completeBroadcast(tree);
    assertThat(broadcast.getString("service")).isEqualTo(ServiceName.API);
    assertThat(broadcast.getString("kind")).isEqualTo("PRODUCER");
    assertThat(broadcast.getJsonObject("attributes").getString(Attr.EVENT_JOB_ID)).isEqualTo(jobId);
    // a child of the span that emitted the event: the worker completes the job inside job.processing
    assertThat(broadcast.getString("parent_span_id")).isEqualTo(processing.getString("span_id"));
    assertThat(E2e.flatten(tree)).allSatisfy(s -> assertThat(s.getString("status")).isNotEqualTo("ERROR"));
    return external;
  }

  /** The websocket.event.broadcast span of the job's complete_job event, or null. */
  private static JsonObject completeBroadcast(JsonObject tree) {
    return E2e.flatten(tree).stream().filter(s -> SpanName.WS_BROADCAST.equals(s.getString("name"))
        && JobEvent.COMPLETED.equals(s.getJsonObject("attributes").getString(Attr.WS_EVENT_TYPE)))
        .findFirst().orElse(null);
  }

  /** Span names per trace, for failure messages. */
  private static String summary(JsonObject answer) {
    return answer.getJsonArray("traces").stream()
        .map(t -> E2e.flatten((JsonObject) t).stream().map(s -> s.getString("name")).toList().toString()).toList()
        .toString();
  }

  /** A minimal API-format txt2img graph the fake validates like ComfyUI does. */
  private static JsonObject txt2img(int steps) {
    return new JsonObject()
        .put("1", node("CheckpointLoaderSimple", new JsonObject().put("ckpt_name", FakeComfyUi.KNOWN_CKPT)))
        .put("2", node("CLIPTextEncode", new JsonObject().put("text", "a lighthouse at dusk").put("clip", link("1", 1))))
        .put("3", node("CLIPTextEncode", new JsonObject().put("text", "blurry").put("clip", link("1", 1))))
        .put("4", node("EmptyLatentImage", new JsonObject().put("width", 512).put("height", 512).put("batch_size", 1)))
        .put("5", node("KSampler", new JsonObject().put("seed", 7).put("steps", steps).put("cfg", 7.0)
            .put("sampler_name", "euler").put("scheduler", "normal").put("denoise", 1.0)
            .put("model", link("1", 0)).put("positive", link("2", 0)).put("negative", link("3", 0))
            .put("latent_image", link("4", 0))))
        .put("6", node("VAEDecode", new JsonObject().put("samples", link("5", 0)).put("vae", link("1", 2))))
        .put("7", node("SaveImage", new JsonObject().put("filename_prefix", "e2e").put("images", link("6", 0))));
  }

  private static JsonObject node(String cls, JsonObject inputs) {
    return new JsonObject().put("class_type", cls).put("inputs", inputs);
  }

  private static JsonArray link(String node, int slot) {
    return new JsonArray().add(node).add(slot);
  }
}
