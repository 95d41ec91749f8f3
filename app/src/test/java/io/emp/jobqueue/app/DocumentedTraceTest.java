package io.emp.jobqueue.app;

import io.emp.jobqueue.core.telemetry.Attr;
import io.emp.jobqueue.core.telemetry.ServiceName;
import io.emp.jobqueue.core.telemetry.SpanName;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.core.telemetry.SamplingPolicy;
import io.emp.jobqueue.core.telemetry.TailSampler;
import io.emp.jobqueue.core.telemetry.TailSamplingProcessor;
import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.core.telemetry.TelemetryConfig;
import io.emp.jobqueue.core.telemetry.TraceContexts;
import io.emp.jobqueue.testing.TestRedis;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What docs/telemetry.md tells a user who debugs a job from its trace: the span tree of a failed
 * job as /api/traces serves it from a whole node (real Redis, real HTTP, a machine with simulation
 * workers), error spans under emp-{component}, and the sampler and exporter rules it documents.
 */
class DocumentedTraceTest {
  static final Duration WAIT = Duration.ofSeconds(40);
  static final String ADMIN_KEY = "docs-admin-key-0123456789";

  static TestRedis redis;
  static Node node;
  static Vertx clientVertx;
  static WebClient http;
  static int port;

  @BeforeAll
  static void startNode() throws Exception {
    redis = TestRedis.start();
    Path dir = Files.createTempDirectory("emp-docs-trace-");
    JsonObject json = new JsonObject()
        .put("queue", new JsonObject().put("store", new JsonObject().put("redis_url", redis.url())
            .put("namespace", "docs" + UUID.randomUUID().toString().substring(0, 8))))
        .put("gateway", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        // sampling on with the defaults: a failed job must be kept whole anyway
        .put("telemetry", new JsonObject().put("environment", "test"))
        .put("machine", new JsonObject().put("profile", "sim-test-local-dev").put("machine_id", "docs-m1")
            .put("profiles_dir", conf("machines").toString()).put("work_dir", dir.resolve("machine").toString())
            .put("health_host", "127.0.0.1").put("health_port", 0))
        .put("worker", new JsonObject().put("concurrency", 1).put("results_dir", dir.resolve("results").toString())
            .put("connectors", new JsonObject().put("simulation", new JsonObject().put("steps", 1)
                .put("step_ms", 1))));
    NodeConfig cfg = new NodeConfig(Set.of(NodeConfig.Role.API, NodeConfig.Role.MACHINE), json, dir);
    node = get(Node.start(cfg, Map.of("EMP_API_KEYS", ADMIN_KEY + ":*:admin"), false));
    String api = node.lines().stream().filter(l -> l.startsWith("HTTP API")).findFirst().orElseThrow();
    port = Integer.parseInt(api.replaceAll(".*:(\\d+)/api/jobs.*", "$1"));
    clientVertx = Vertx.vertx();
    http = WebClient.create(clientVertx);
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) {
      get(node.stop());
    }
    if (clientVertx != null) {
      get(clientVertx.close());
    }
    if (redis != null) {
      redis.close();
    }
  }

  /** The repository's conf/ directory, whether Maven runs from the root or from app/. */
  static Path conf(String name) {
    Path here = Path.of("conf", name);
    return Files.isDirectory(here) ? here : Path.of("..", "conf", name);
  }

  @Test
  void failedJobTraceHasTheDocumentedTreeWithTheConnectorsErrorSpan() throws Exception {
    JsonObject submitted = get(http.post(port, "127.0.0.1", "/api/jobs").bearerTokenAuthentication(ADMIN_KEY)
        .sendJsonObject(new JsonObject().put("service_required", "simulation").put("max_retries", 0)
            .put("customer_id", "docs-customer")
            .put("payload", new JsonObject().put("steps", 1).put("step_ms", 1).put("fail", "permanent"))))
        .bodyAsJsonObject();
    String jobId = submitted.getString("job_id");
    String traceId = submitted.getString("trace_id");
    assertThat(jobId).isNotBlank();
    assertThat(traceId).hasSize(32);

    await().atMost(WAIT).until(() -> "failed".equals(getJson("/api/jobs/" + jobId).getString("status")));
    // spans reach the store as they end (or when the trace is decided): wait for the whole attempt
    List<String> expected = List.of(SpanName.HTTP_REQUEST, SpanName.REDIS_SUBMIT, SpanName.REDIS_CLAIM,
        SpanName.JOB_PROCESSING, SpanName.EXTERNAL_CALL, "simulation.error.");
    await().atMost(WAIT).until(() -> {
      List<String> names = spansOf(jobTrace(jobId, traceId)).stream().map(s -> s.getString("name")).toList();
      return expected.stream().allMatch(e -> names.stream().anyMatch(n -> n.startsWith(e)));
    });

    List<JsonObject> spans = spansOf(jobTrace(jobId, traceId));
    JsonObject request = one(spans, SpanName.HTTP_REQUEST);
    JsonObject submit = one(spans, SpanName.REDIS_SUBMIT);
    JsonObject claim = one(spans, SpanName.REDIS_CLAIM);
    JsonObject processing = one(spans, SpanName.JOB_PROCESSING);
    JsonObject external = one(spans, SpanName.EXTERNAL_CALL);
    JsonObject error = spans.stream().filter(s -> s.getString("name").startsWith("simulation.error."))
        .findFirst().orElseThrow();

    assertThat(request.getString("parent_span_id")).isNull();
    assertThat(request.getString("service")).isEqualTo(ServiceName.API);
    assertThat(submit.getString("parent_span_id")).isEqualTo(request.getString("span_id"));
    assertThat(submit.getString("service")).isEqualTo(ServiceName.API);
    assertThat(claim.getString("parent_span_id")).isEqualTo(submit.getString("span_id"));
    assertThat(claim.getString("service")).isEqualTo(ServiceName.WORKER);
    assertThat(processing.getString("parent_span_id")).isEqualTo(claim.getString("span_id"));
    assertThat(processing.getString("service")).isEqualTo("emp-simulation-worker");
    assertThat(processing.getString("status")).isEqualTo("ERROR");
    assertThat(processing.getJsonObject("attributes").getString(Attr.PROCESSING_STATUS)).isEqualTo("failed");
    assertThat(external.getString("parent_span_id")).isEqualTo(processing.getString("span_id"));

    // seed §7: {component}.error.{type} under the failing span, service emp-{component}
    assertThat(error.getString("parent_span_id")).isEqualTo(external.getString("span_id"));
    assertThat(error.getString("service")).isEqualTo(ServiceName.component("simulation"));
    assertThat(error.getString("status")).isEqualTo("ERROR");
    JsonObject attrs = error.getJsonObject("attributes");
    assertThat(error.getString("name")).isEqualTo("simulation.error." + attrs.getString(Attr.ERROR_TYPE));
    assertThat(attrs.getString(Attr.RECOVERY_STRATEGY)).isEqualTo("fail");
    assertThat(attrs.getBoolean(Attr.IMPACT_JOB_FAILED)).isTrue();
    assertThat(attrs.getString(Attr.DEBUG_MACHINE_ID)).isEqualTo("docs-m1");
  }

  @Test
  void aBroadcastSeenBeforeAnySubmitSpanWaitsForTheJobsOutcome() {
    // A gateway that did not take the submit sees the job's trace first through a broadcast span.
    // With every fast success dropped, only the job's outcome may decide what happens to it.
    SamplingPolicy dropFast = new SamplingPolicy(true, 5_000, 1_000, 0, 0, Map.of(), Set.of("vip"), 1_000,
        60_000, 1_000);
    TailSampler sampler = new TailSampler(dropFast);
    InMemorySpanExporter forwarded = InMemorySpanExporter.create();
    Tracer tracer = SdkTracerProvider.builder()
        .addSpanProcessor(new TailSamplingProcessor(sampler, SimpleSpanProcessor.create(forwarded))).build()
        .get("docs");
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    Context submitSpanElsewhere = TraceContexts.extract(
        TraceContext.of("00-" + traceId + "-00f067aa0ba902b7-01"));

    tracer.spanBuilder(SpanName.WS_BROADCAST).setParent(submitSpanElsewhere).startSpan().end();
    assertThat(names(forwarded)).as("held until the job's outcome is known").isEmpty();
    assertThat(sampler.bufferedSpans()).isEqualTo(1);

    // the job failed: the gateway relays job_failed and reports it (Broadcaster, TailSampler.decide(JobEvent))
    boolean kept = sampler.decide(traceId, SamplingPolicy.jobOutcome(true, 1, 0, 200, null, null));
    assertThat(kept).isTrue();
    assertThat(names(forwarded)).containsExactly(SpanName.WS_BROADCAST);

    tracer.spanBuilder(SpanName.WS_BROADCAST).setParent(submitSpanElsewhere).startSpan().end();
    assertThat(names(forwarded)).as("a later broadcast follows the decision").hasSize(2);
  }

  @Test
  void anEndpointInTheNodeConfigTurnsOtlpExportOn() throws Exception {
    int closed = TestRedis.freePort(); // nothing listens: the export fails, but it is attempted
    TelemetryConfig cfg = TelemetryConfig.DEFAULTS.withOverrides(Map.of(
        "otel.exporter.otlp.endpoint", "http://127.0.0.1:" + closed,
        "otel.exporter.otlp.timeout", "500",
        "otel.bsp.schedule.delay", "50"));
    Telemetry telemetry = Telemetry.create(cfg, List.of());
    try {
      telemetry.tracer(ServiceName.API).spanBuilder(SpanName.HTTP_REQUEST).startSpan().end();
      telemetry.flush();
      await().atMost(WAIT).until(() -> telemetry.exportStats().counters().get("export_batches_spans") >= 1);
    } finally {
      telemetry.close();
    }
  }

  // ------------------------------------------------------------------ helpers

  /** The job's own trace as /api/traces?job_id= serves it. */
  static JsonObject jobTrace(String jobId, String traceId) throws Exception {
    JsonArray traces = getJson("/api/traces?job_id=" + jobId).getJsonArray("traces");
    for (int i = 0; i < traces.size(); i++) {
      if (traceId.equals(traces.getJsonObject(i).getString("trace_id"))) {
        return traces.getJsonObject(i);
      }
    }
    throw new AssertionError("trace " + traceId + " not served for job " + jobId + ": " + traces.encode());
  }

  static List<JsonObject> spansOf(JsonObject tree) {
    List<JsonObject> out = new ArrayList<>();
    tree.getJsonArray("roots").forEach(r -> flatten((JsonObject) r, out));
    return out;
  }

  private static void flatten(JsonObject span, List<JsonObject> out) {
    out.add(span);
    span.getJsonArray("children").forEach(c -> flatten((JsonObject) c, out));
  }

  static JsonObject one(List<JsonObject> spans, String name) {
    List<JsonObject> found = spans.stream().filter(s -> name.equals(s.getString("name"))).toList();
    assertThat(found).as(name).hasSize(1);
    return found.get(0);
  }

  static JsonObject getJson(String path) throws Exception {
    HttpResponse<Buffer> res = get(http.get(port, "127.0.0.1", path).bearerTokenAuthentication(ADMIN_KEY).send());
    assertThat(res.statusCode()).as(path + " -> " + res.bodyAsString()).isEqualTo(200);
    return Optional.ofNullable(res.bodyAsJsonObject()).orElseThrow();
  }

  static <T> T get(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  static List<String> names(InMemorySpanExporter exporter) {
    return exporter.getFinishedSpanItems().stream().map(io.opentelemetry.sdk.trace.data.SpanData::getName).toList();
  }
}
