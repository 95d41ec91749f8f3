package io.emp.jobqueue.bench;

import io.emp.jobqueue.core.model.WorkerCapabilities;
import io.emp.jobqueue.core.telemetry.SamplingPolicy;
import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.core.telemetry.TelemetryConfig;
import io.emp.jobqueue.gateway.GatewayVerticle;
import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.emp.jobqueue.testing.TestRedis;
import io.emp.jobqueue.worker.FileResultStore;
import io.emp.jobqueue.worker.WorkerConfig;
import io.emp.jobqueue.worker.WorkerVerticle;
import io.emp.jobqueue.worker.simulation.SimulationConfig;
import io.emp.jobqueue.worker.simulation.SimulationConnector;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * End-to-end benchmark (issue 16): 20,000 zero-work jobs added in bulk over HTTP
 * ({@code POST /api/jobs/batch}, 1,000 per request; {@code BENCH_SUBMIT=single}: one
 * {@code POST /api/jobs} per job, 64 in flight), then drained by one {@code WorkerVerticle} with
 * concurrency 50, every completion observed on a monitor WebSocket; tracing with tail sampling on.
 * Everything in one JVM with Redis co-located, as a peer's bulk-add-then-drain run. Reports jobs/s
 * (add, drain, bulk add to last completion), Redis CPU µs per job, Redis bytes per pending and per
 * retained job. Three runs after a warm-up. Run: bench/run.sh e2e
 */
public final class E2eBench {
  static final String KEY = ApiNode.KEY;

  public static void main(String[] args) throws Exception {
    int jobs = Integer.parseInt(System.getenv().getOrDefault("BENCH_JOBS", "20000"));
    int runs = Integer.parseInt(System.getenv().getOrDefault("BENCH_RUNS", "3"));
    boolean batch = !"single".equals(System.getenv("BENCH_SUBMIT"));
    TestRedis redis = TestRedis.start();
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    AtomicLong exported = new AtomicLong();
    Telemetry telemetry = Telemetry.create(TelemetryConfig.DEFAULTS.withSampling(SamplingPolicy.DEFAULTS),
        List.of(BatchSpanProcessor.builder(WorkerBench.counting(exported)).setMaxQueueSize(10_000)
            .setMaxExportBatchSize(1_000).build()));
    try {
      StoreConfig sc = StoreConfig.defaults(redis.url()).withNamespace("e2e").withPoolSize(32);
      JobStore store = StoreBench.await(JobStore.connect(vertx, sc));
      GatewayVerticle gw = ApiNode.deploy(vertx, sc, telemetry, new JsonObject().put("ws_max_queued_messages", 200_000));
      WebClient http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
          .setDefaultPort(gw.actualPort()), new PoolOptions().setHttp1MaxSize(64));
      System.out.printf("e2e: %d jobs per run, submit %s, worker concurrency 50, tracing on (tail sampling), "
          + "%d cores, redis %s%n", jobs, batch ? "POST /api/jobs/batch x1000" : "POST /api/jobs (64 in flight)",
          Runtime.getRuntime().availableProcessors(), redis.url());
      run(vertx, http, store, telemetry, gw.actualPort(), Math.min(jobs, 5_000), batch, false); // warm-up
      for (int i = 0; i < runs; i++) {
        System.out.printf(Locale.ROOT, "load average before run %d: %s%n", i + 1, MetricsBench.loadavg());
        run(vertx, http, store, telemetry, gw.actualPort(), jobs, batch, true);
      }
      System.out.printf("spans exported: %d%n", exported.get());
    } finally {
      vertx.close().await();
      telemetry.close();
      redis.close();
    }
  }

  static void run(Vertx vertx, WebClient http, JobStore store, Telemetry telemetry, int port, int jobs,
                  boolean batch, boolean report) throws Exception {
    String service = "sim-" + UUID.randomUUID().toString().substring(0, 6);
    CountDownLatch completed = new CountDownLatch(jobs);
    WebSocket monitor = StoreBench.await(vertx.createWebSocketClient().connect(new WebSocketConnectOptions()
        .setHost("127.0.0.1").setPort(port).setURI("/ws/monitor").addHeader("Authorization", "Bearer " + KEY)));
    AtomicLong closed = new AtomicLong();
    monitor.closeHandler(v -> closed.set(monitor.closeStatusCode() == null ? -1 : monitor.closeStatusCode()));
    monitor.textMessageHandler(text -> {
      // only this run's completions count; the cheap test first, the parse only for candidates
      if (text.contains("\"complete_job\"") && text.contains(service)) {
        completed.countDown();
      }
    });
    StoreBench.await(store.redis().send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.CONFIG)
        .arg("RESETSTAT")));
    long memBase = RedisInfo.usedMemory(store);
    double cpu0 = RedisInfo.cpuSeconds(store);
    long t0 = System.nanoTime();
    if (batch) {
      addInBatches(http, service, jobs);
    } else {
      addOneByOne(http, service, jobs);
    }
    long t1 = System.nanoTime();
    long memPending = RedisInfo.usedMemory(store);
    WorkerConfig wc = WorkerConfig.defaults(WorkerCapabilities.of("e2e-" + service, service)).withConcurrency(50)
        .withProgressThrottle(0);
    String worker = StoreBench.await(vertx.deployVerticle(new WorkerVerticle(wc,
        new SimulationConnector(SimulationConfig.DEFAULTS), new FileResultStore(vertx,
        Files.createTempDirectory("e2e")), telemetry, store)));
    if (!completed.await(300, TimeUnit.SECONDS)) {
      throw new IllegalStateException("only " + (jobs - completed.getCount()) + " of " + jobs
          + " completions seen (monitor socket close code " + closed.get() + ")");
    }
    long t2 = System.nanoTime();
    double cpu = RedisInfo.cpuSeconds(store) - cpu0;
    long memRetained = RedisInfo.usedMemory(store);
    StoreBench.await(vertx.undeploy(worker));
    StoreBench.await(monitor.close());
    if (report) {
      System.out.printf(Locale.ROOT, "add %6.0f jobs/s   drain %6.0f jobs/s   bulk add -> all completed %6.0f jobs/s"
              + "   redis cpu %5.1f us/job   redis bytes per pending job %5d, per retained job %5d%n",
          jobs / ((t1 - t0) / 1e9), jobs / ((t2 - t1) / 1e9), jobs / ((t2 - t0) / 1e9), cpu * 1e6 / jobs,
          (memPending - memBase) / jobs, (memRetained - memBase) / jobs);
      commandStats(store, jobs);
    }
  }

  /** Where Redis spent its time: calls and µs per job of each command (INFO commandstats). */
  static void commandStats(JobStore store, int jobs) {
    StringBuilder out = new StringBuilder("  commandstats per job:");
    RedisInfo.commandStats(store).forEach((name, st) -> {
      if (st.calls() >= jobs / 10) {
        out.append(String.format(Locale.ROOT, " %s %.2f calls %.1f us;", name, (double) st.calls() / jobs,
            (double) st.usec() / jobs));
      }
    });
    System.out.println(out);
  }

  static void addInBatches(WebClient http, String service, int jobs) {
    List<Future<?>> inFlight = new ArrayList<>();
    for (int done = 0; done < jobs; done += 1_000) {
      JsonArray batch = new JsonArray();
      for (int i = 0; i < Math.min(1_000, jobs - done); i++) {
        batch.add(job(service));
      }
      inFlight.add(http.post("/api/jobs/batch").putHeader("Authorization", "Bearer " + KEY)
          .sendJsonObject(new JsonObject().put("jobs", batch)).map(r -> {
            if (r.statusCode() != 200) {
              throw new IllegalStateException("batch answered " + r.statusCode() + " " + r.bodyAsString());
            }
            return null;
          }));
      if (inFlight.size() == 4) {
        StoreBench.await(Future.all(inFlight));
        inFlight.clear();
      }
    }
    StoreBench.await(Future.all(inFlight));
  }

  static void addOneByOne(WebClient http, String service, int jobs) {
    List<Future<?>> inFlight = new ArrayList<>();
    for (int i = 0; i < jobs; i++) {
      inFlight.add(http.post("/api/jobs").putHeader("Authorization", "Bearer " + KEY).sendJsonObject(job(service))
          .map(r -> {
            if (r.statusCode() != 201) {
              throw new IllegalStateException("submit answered " + r.statusCode() + " " + r.bodyAsString());
            }
            return null;
          }));
      if (inFlight.size() == 64) {
        StoreBench.await(Future.all(inFlight));
        inFlight.clear();
      }
    }
    StoreBench.await(Future.all(inFlight));
  }

  static JsonObject job(String service) {
    return new JsonObject().put("service_required", service).put("payload", new JsonObject().put("steps", 0));
  }
}
