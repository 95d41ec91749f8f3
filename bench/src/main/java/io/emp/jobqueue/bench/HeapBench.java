package io.emp.jobqueue.bench;

import io.emp.jobqueue.core.model.WorkerCapabilities;
import io.emp.jobqueue.core.telemetry.SamplingPolicy;
import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.core.telemetry.TelemetryConfig;
import io.emp.jobqueue.gateway.GatewayVerticle;
import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.queue.store.ServiceStats;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.emp.jobqueue.testing.TestRedis;
import io.emp.jobqueue.worker.FileResultStore;
import io.emp.jobqueue.worker.WorkerConfig;
import io.emp.jobqueue.worker.WorkerVerticle;
import io.emp.jobqueue.worker.simulation.SimulationConfig;
import io.emp.jobqueue.worker.simulation.SimulationConnector;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Heap per in-flight job (issue 16): one JVM with the queue, the gateway and a worker, tracing with
 * tail sampling on. (1) 2,000 jobs accepted over HTTP for a service no worker serves: heap held per
 * pending job (the gateway and queue side: the tail sampler keeps each job's submit spans until its
 * outcome decides the trace). (2) A worker with concurrency 1,000 running 1,000 jobs that each wait
 * 10 minutes: heap held per running job (attempt, lease timer, spans). Heap is read after full GCs.
 * Run: bench/run.sh heap
 */
public final class HeapBench {
  static final String KEY = ApiNode.KEY;

  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(System.getenv().getOrDefault("BENCH_JOBS", "2000"));
    int running = Integer.parseInt(System.getenv().getOrDefault("BENCH_RUNNING", "1000"));
    TestRedis redis = TestRedis.start();
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    AtomicLong exported = new AtomicLong();
    Telemetry telemetry = Telemetry.create(TelemetryConfig.DEFAULTS.withSampling(SamplingPolicy.DEFAULTS),
        List.of(BatchSpanProcessor.builder(WorkerBench.counting(exported)).build()));
    try {
      StoreConfig sc = StoreConfig.defaults(redis.url()).withNamespace("heap").withPoolSize(16);
      JobStore store = StoreBench.await(JobStore.connect(vertx, sc));
      GatewayVerticle gw = ApiNode.deploy(vertx, sc, telemetry, new JsonObject());
      WebClient http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
          .setDefaultPort(gw.actualPort()), new PoolOptions().setHttp1MaxSize(8));
      add(http, "warm", 500, new JsonObject());
      long base = heap();
      add(http, "parked", n, new JsonObject());
      long pending = heap();
      System.out.printf(Locale.ROOT, "heap per accepted pending job (gateway + queue, spans buffered): %d bytes (%d jobs)%n",
          (pending - base) / n, n);

      WorkerConfig wc = WorkerConfig.defaults(WorkerCapabilities.of("heap-w", "slow")).withConcurrency(running)
          .withProgressThrottle(0);
      StoreBench.await(vertx.deployVerticle(new WorkerVerticle(wc, new SimulationConnector(SimulationConfig.DEFAULTS),
          new FileResultStore(vertx, Files.createTempDirectory("heap")), telemetry, store)));
      long idle = heap();
      add(http, "slow", running, new JsonObject().put("steps", 1).put("step_ms", 600_000));
      long deadline = System.currentTimeMillis() + 120_000;
      long active;
      do {
        TimeUnit.MILLISECONDS.sleep(100);
        active = StoreBench.await(store.queries().stats()).stream().filter(s -> s.service().equals("slow"))
            .mapToLong(ServiceStats::active).sum();
      } while (active < running && System.currentTimeMillis() < deadline);
      long busy = heap();
      System.out.printf(Locale.ROOT, "heap per running job (worker + its accepted job's share): %d bytes (%d running)%n",
          (busy - idle) / Math.max(1, active), active);
    } finally {
      vertx.close().await();
      telemetry.close();
      redis.close();
    }
  }

  static void add(WebClient http, String service, int n, JsonObject payload) {
    for (int done = 0; done < n; done += 500) {
      JsonArray jobs = new JsonArray();
      for (int i = 0; i < Math.min(500, n - done); i++) {
        jobs.add(new JsonObject().put("service_required", service).put("payload", payload.copy()));
      }
      var r = StoreBench.await(http.post("/api/jobs/batch").putHeader("Authorization", "Bearer " + KEY)
          .sendJsonObject(new JsonObject().put("jobs", jobs)));
      if (r.statusCode() != 200) {
        throw new IllegalStateException("batch answered " + r.statusCode() + " " + r.bodyAsString());
      }
    }
  }

  static long heap() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      TimeUnit.MILLISECONDS.sleep(200);
    }
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }
}
