package io.emp.jobqueue.worker.connectors;

import io.emp.jobqueue.core.telemetry.ServiceName;
import io.emp.jobqueue.core.telemetry.SpanName;
import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.core.telemetry.TelemetryConfig;
import io.emp.jobqueue.worker.spi.JobContext;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** One Vert.x and one in-memory span exporter per test class; jobs built as the queue stores them. */
public abstract class ConnectorTestSupport {
  protected static Vertx vertx;
  protected static InMemorySpanExporter spans;
  protected static Telemetry telemetry;
  protected InMemoryResultStore results;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
    spans = InMemorySpanExporter.create();
    telemetry = Telemetry.create(TelemetryConfig.DEFAULTS, List.of(SimpleSpanProcessor.create(spans)));
  }

  @AfterAll
  static void stopVertx() {
    get(vertx.close());
    telemetry.close();
  }

  @BeforeEach
  void resetPerTest() {
    spans.reset();
    results = new InMemoryResultStore();
  }

  /** A claimed job as Job.fromHash would read it from Redis. */
  protected static Job job(String service, JsonObject payload) {
    Map<String, String> h = new HashMap<>();
    h.put(Job.F.ID, "job-" + UUID.randomUUID());
    h.put(Job.F.SERVICE, service);
    h.put(Job.F.PAYLOAD, payload.encode());
    h.put(Job.F.STATUS, "in_progress");
    h.put(Job.F.ATTEMPT, "1");
    h.put(Job.F.CREATED_AT, Long.toString(System.currentTimeMillis()));
    return Job.fromHash(h);
  }

  /** A context whose parent is a real (ended) external_service.call span, so parenting can be asserted. */
  protected JobContext context(Job job, long timeoutMs) {
    Tracer tracer = telemetry.tracer(ServiceName.worker(job.serviceRequired()));
    Span parent = tracer.spanBuilder(SpanName.EXTERNAL_CALL).startSpan();
    Context ctx = Context.root().with(parent);
    parent.end();
    return new JobContext(job, 1, System.currentTimeMillis() + timeoutMs, ctx, tracer, results);
  }

  protected static SpanData span(String name) {
    return org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
        .until(() -> spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).findFirst(),
            java.util.Optional::isPresent).get();
  }

  public static <T> T get(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(45, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new RuntimeException(e.getCause());
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  /** The failure of a future that must fail. */
  public static Throwable failure(Future<?> f) {
    try {
      f.toCompletionStage().toCompletableFuture().get(45, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
    throw new AssertionError("expected a failure");
  }
}
