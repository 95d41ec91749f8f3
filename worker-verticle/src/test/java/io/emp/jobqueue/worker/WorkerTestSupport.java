package io.emp.jobqueue.worker;

import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.model.JobSpec;
import io.emp.jobqueue.core.model.JobLimits;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.core.model.WorkerCapabilities;
import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.core.telemetry.TelemetryConfig;
import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.queue.store.RetryPolicy;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.emp.jobqueue.testing.TestRedis;
import io.emp.jobqueue.worker.simulation.SimulationConfig;
import io.emp.jobqueue.worker.simulation.SimulationConnector;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** One redis-server, Vert.x and span exporter per test class; a fresh key namespace per test. */
abstract class WorkerTestSupport {
  static TestRedis redisServer;
  static Vertx vertx;
  static InMemorySpanExporter spans;
  static Telemetry telemetry;
  static final RetryPolicy FAST_RETRY = new RetryPolicy(20, 100, 0.0, 0);

  JobStore store;
  Path resultDir;
  String deployment;

  @BeforeAll
  static void startAll() {
    redisServer = TestRedis.start();
    vertx = Vertx.vertx();
    spans = InMemorySpanExporter.create();
    telemetry = Telemetry.create(TelemetryConfig.DEFAULTS.withMachineId("machine-t"),
        List.of(SimpleSpanProcessor.create(spans)));
  }

  @AfterAll
  static void stopAll() throws Exception {
    get(vertx.close());
    telemetry.close();
    redisServer.close();
  }

  @BeforeEach
  void newStore() throws Exception {
    store = get(JobStore.connect(vertx, StoreConfig.defaults(redisServer.url())
        .withNamespace("w" + UUID.randomUUID().toString().substring(0, 8)).withRetry(FAST_RETRY)));
    resultDir = Files.createTempDirectory("emp-results-");
    spans.reset();
  }

  @AfterEach
  void closeStore() {
    if (deployment != null) {
      get(vertx.undeploy(deployment));
      deployment = null;
    }
    get(store.close());
  }

  static WorkerConfig config(String workerId) {
    return WorkerConfig.defaults(WorkerCapabilities.of(workerId, "sim").withMachine("machine-t"))
        .withLease(3_000, 1_000).withIdlePoll(200).withProgressThrottle(0)
        .withDrainGrace(300);
  }

  WorkerVerticle deploy(WorkerConfig cfg, SimulationConnector connector) {
    WorkerVerticle v = new WorkerVerticle(cfg, connector, new FileResultStore(vertx, resultDir), telemetry, store);
    deployment = get(vertx.deployVerticle(v));
    return v;
  }

  static SimulationConnector simulation() {
    return new SimulationConnector(new SimulationConfig(3, 20, 0.0, null, 7));
  }

  String submit(JsonObject payload) {
    return submit(new JsonObject().put("service_required", "sim").put("payload", payload), TraceContext.EMPTY);
  }

  String submit(JsonObject body, TraceContext trace) {
    JobSpec spec = JobSpec.fromJson(body, JobLimits.DEFAULTS).withTrace(trace);
    return get(store.submit(spec)).jobId();
  }

  Job job(String id) {
    Optional<Job> j = get(store.get(id));
    return j.orElseThrow();
  }

  static List<SpanData> spansNamed(String name) {
    return spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).toList();
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
}
