package io.emp.jobqueue.app;

import io.emp.jobqueue.core.telemetry.ServiceName;
import io.emp.jobqueue.core.telemetry.SpanName;
import static io.emp.jobqueue.app.E2e.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emp.jobqueue.testing.OtlpReceiver;
import io.emp.jobqueue.testing.OtlpReceiver.ReceivedSpan;
import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.core.telemetry.TelemetryConfig;
import io.emp.jobqueue.testing.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's Telemetry configured through {@link TelemetryConfig#withOverrides} exports the spans the
 * tail sampler keeps to a real OTLP/HTTP receiver; an unreachable collector changes nothing for jobs.
 */
class OtlpExportTest {
  static final Duration WAIT = Duration.ofSeconds(60);
  static TestRedis redis;
  static Vertx vertx;
  static OtlpReceiver receiver;
  static int receiverPort;
  @TempDir
  static Path results;

  @BeforeAll
  static void start() {
    redis = TestRedis.start();
    vertx = Vertx.vertx();
    receiver = new OtlpReceiver();
    receiverPort = get(receiver.start(vertx));
  }

  @AfterAll
  static void stop() {
    if (receiver != null) {
      get(receiver.stop());
    }
    if (vertx != null) {
      get(vertx.close());
    }
    if (redis != null) {
      redis.close();
    }
  }

  private static Map<String, String> otlp(String endpoint) {
    return Map.of("otel.traces.exporter", "otlp", "otel.exporter.otlp.protocol", "http/protobuf",
        "otel.exporter.otlp.endpoint", endpoint, "otel.bsp.schedule.delay", "100");
  }

  @Test
  void aJobsWholeTraceIsExportedOverOtlpHttp() {
    Telemetry telemetry = Telemetry.create(TelemetryConfig.DEFAULTS.withOverrides(otlp("http://127.0.0.1:" + receiverPort)),
        List.of());
    try (Product p = new Product(vertx, redis.url(), telemetry, 1, results)) {
      JsonObject accepted = p.submit(Product.simJob(2));
      String jobId = accepted.getString("job_id");
      String traceId = accepted.getString("trace_id");
      await().atMost(WAIT).until(() -> "completed".equals(p.status(jobId)));

      Set<String> expected = Set.of(SpanName.HTTP_REQUEST, SpanName.REDIS_SUBMIT, SpanName.REDIS_CLAIM,
          SpanName.JOB_PROCESSING, SpanName.JOB_PREPROCESSING, SpanName.EXTERNAL_CALL,
          SpanName.JOB_POSTPROCESSING);
      await().atMost(WAIT).until(() -> receiver.trace(traceId).stream().map(ReceivedSpan::name).toList()
          .containsAll(expected));

      List<ReceivedSpan> trace = receiver.trace(traceId);
      ReceivedSpan http = one(trace, SpanName.HTTP_REQUEST);
      ReceivedSpan submit = one(trace, SpanName.REDIS_SUBMIT);
      ReceivedSpan claim = one(trace, SpanName.REDIS_CLAIM);
      ReceivedSpan processing = one(trace, SpanName.JOB_PROCESSING);
      assertThat(http.parentSpanId()).isEmpty();
      assertThat(submit.parentSpanId()).isEqualTo(http.spanId());
      assertThat(claim.parentSpanId()).isEqualTo(submit.spanId());
      assertThat(processing.parentSpanId()).isEqualTo(claim.spanId());
      assertThat(one(trace, SpanName.EXTERNAL_CALL).parentSpanId()).isEqualTo(processing.spanId());
      assertThat(http.service()).isEqualTo(ServiceName.API);
      assertThat(submit.service()).isEqualTo(ServiceName.API);
      assertThat(claim.service()).isEqualTo(ServiceName.WORKER);
      assertThat(processing.service()).isEqualTo("emp-simulation-worker");
      // what the exporter sent is what the node kept (its trace store sees the sampler's output too)
      await().atMost(WAIT).until(() -> telemetry.traces().spans(traceId).size() == receiver.trace(traceId).size());
      assertThat(telemetry.exportStats().counters().get("export_failed_spans")).isZero();
      assertThat(telemetry.exportStats().counters().get("exported_spans")).isPositive();
    } finally {
      telemetry.close();
    }
  }

  @Test
  void onlyTracesTheTailSamplerKeepsAreExported() {
    // every fast job is dropped (fast_ratio 0) except a VIP customer's, which the policy always keeps
    JsonObject sampling = new JsonObject().put("enabled", true).put("fast_ratio", 0.0).put("medium_ratio", 0.0)
        .put("customer_tiers", new JsonObject().put("cust-vip", "vip")).put("always_keep_tiers", new JsonArray().add("vip"));
    TelemetryConfig cfg = TelemetryConfig.from(new JsonObject().put("sampling", sampling))
        .withOverrides(otlp("http://127.0.0.1:" + receiverPort));
    Telemetry telemetry = Telemetry.create(cfg, List.of());
    try (Product p = new Product(vertx, redis.url(), telemetry, 1, results)) {
      JsonObject plain = p.submit(Product.simJob(1).put("customer_id", "cust-plain"));
      await().atMost(WAIT).until(() -> "completed".equals(p.status(plain.getString("job_id"))));
      // both the worker's and the gateway's part of the plain trace are decided (dropped) before the VIP job runs
      await().atMost(WAIT).until(() -> telemetry.sampler().counters().get("dropped_traces") >= 1
          && !telemetry.traces().tracesForJob(plain.getString("job_id")).contains(plain.getString("trace_id"))
          && telemetry.sampler().bufferedSpans() == 0);
      JsonObject vip = p.submit(Product.simJob(1).put("customer_id", "cust-vip"));
      await().atMost(WAIT).until(() -> "completed".equals(p.status(vip.getString("job_id"))));
      await().atMost(WAIT).until(() -> receiver.trace(vip.getString("trace_id")).stream().map(ReceivedSpan::name)
          .toList().containsAll(List.of(SpanName.HTTP_REQUEST, SpanName.REDIS_CLAIM, SpanName.JOB_PROCESSING)));
      // the plain job's spans ended before the VIP job's: had they been kept, they would have been exported first
      assertThat(receiver.trace(plain.getString("trace_id"))).isEmpty();
      assertThat(telemetry.traces().spans(plain.getString("trace_id"))).isEmpty();
    } finally {
      telemetry.close();
    }
  }

  @Test
  void aDeadCollectorChangesNothingForJobs() throws Exception {
    int closedPort = TestRedis.freePort();
    Telemetry telemetry = Telemetry.create(TelemetryConfig.DEFAULTS.withOverrides(otlp("http://127.0.0.1:" + closedPort)),
        List.of());
    try (Product p = new Product(vertx, redis.url(), telemetry, 8, results)) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        ids.add(p.submit(Product.simJob(1)).getString("job_id"));
      }
      await().atMost(WAIT).until(() -> ids.stream().allMatch(id -> "completed".equals(p.status(id))));
      await().atMost(WAIT).until(() -> telemetry.exportStats().counters().get("export_failed_spans") > 0);
      assertThat(telemetry.exportStats().counters().get("exported_spans")).isZero();
      // the node still keeps the traces for its own trace API
      assertThat(telemetry.traces().tracesForJob(ids.get(49))).isNotEmpty();
    } finally {
      telemetry.close();
    }
  }

  private static ReceivedSpan one(List<ReceivedSpan> trace, String name) {
    List<ReceivedSpan> m = trace.stream().filter(s -> s.name().equals(name)).toList();
    assertThat(m).as(name + " in " + trace).hasSize(1);
    return m.get(0);
  }
}
