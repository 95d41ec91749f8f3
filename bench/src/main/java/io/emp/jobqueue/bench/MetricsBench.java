package io.emp.jobqueue.bench;

import io.emp.jobqueue.core.metrics.MeteredVertx;
import io.emp.jobqueue.core.metrics.Metrics;
import io.emp.jobqueue.core.metrics.MetricsConfig;
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
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * End-to-end cost of metrics (issue 15): HTTP submit -> queue -> worker -> complete for zero-work
 * simulation jobs, in one JVM with Redis co-located, with metrics on (the node's Prometheus registry,
 * Vert.x and JVM meters, every job metric, the analytics tick, and /metrics scraped every 15 s as the
 * shipped Prometheus configuration does)
 * vs off (no registry; every meter a no-op). Tracing with tail sampling is on in both. After eight
 * warm-up runs, three rounds each run both modes (alternating which goes first); the medians of
 * throughput and of this JVM's CPU time per job, and the load average before every run, are printed.
 * Run: bench/run.sh metrics (-Dbench.jobs, -Dbench.runs, -Dbench.warmup, -Dbench.scrape_ms, default 15000, 0 for no scrapes)
 */
public final class MetricsBench {
  static final String KEY = ApiNode.KEY;

  public static void main(String[] args) throws Exception {
    int jobs = Integer.parseInt(System.getProperty("bench.jobs", "6000"));
    int runs = Integer.parseInt(System.getProperty("bench.runs", "3"));
    TestRedis redis = TestRedis.start();
    Vertx client = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    try {
      System.out.printf("redis %s, %d jobs per run, worker concurrency 64, 64 HTTP submit loops, %d cores%n",
          redis.url(), jobs, Runtime.getRuntime().availableProcessors());
      // the JIT needs several full runs before throughput settles (it still rose 5x over the first runs)
      int warmups = Integer.parseInt(System.getProperty("bench.warmup", "8"));
      for (int i = 0; i < warmups; i++) {
        System.out.print("warm-up " + (i + 1) + ": ");
        run(client, redis.url(), jobs, i % 2 == 1);
      }
      List<double[]> off = new ArrayList<>();
      List<double[]> on = new ArrayList<>();
      for (int i = 0; i < runs; i++) {
        // alternate which mode goes first, so a drift in machine load hits both alike
        boolean onFirst = i % 2 == 1;
        (onFirst ? on : off).add(run(client, redis.url(), jobs, onFirst));
        (onFirst ? off : on).add(run(client, redis.url(), jobs, !onFirst));
      }
      double mOff = median(off.stream().map(r -> r[0]).toList());
      double mOn = median(on.stream().map(r -> r[0]).toList());
      double cOff = median(off.stream().map(r -> r[1]).toList());
      double cOn = median(on.stream().map(r -> r[1]).toList());
      System.out.printf(Locale.ROOT, "median throughput: metrics off %.0f jobs/s, on %.0f jobs/s: cost %.1f %%%n",
          mOff, mOn, (mOff - mOn) / mOff * 100);
      System.out.printf(Locale.ROOT, "median CPU per job (this JVM: client, gateway, queue, worker): off %.0f us, "
          + "on %.0f us: cost %.1f %%%n", cOff, cOn, (cOn - cOff) / cOff * 100);
      // the JIT keeps improving run after run on a loaded machine: rounds pair an on and an off run that
      // ran back to back, and the median of those pairs' ratios is the figure least moved by the drift
      List<Double> tput = new ArrayList<>();
      List<Double> cpu = new ArrayList<>();
      for (int i = 0; i < runs; i++) {
        tput.add(on.get(i)[0] / off.get(i)[0]);
        cpu.add(on.get(i)[1] / off.get(i)[1]);
      }
      System.out.printf(Locale.ROOT, "paired rounds: median throughput cost %.1f %%, median CPU-per-job cost %.1f %%%n",
          (1 - median(tput)) * 100, (median(cpu) - 1) * 100);
    } finally {
      client.close().await();
      redis.close();
    }
  }

  static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    s.sort(Double::compare);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  static String loadavg() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (Exception e) {
      return "n/a";
    }
  }

  static long cpuNanos() {
    var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
  }

  /** Returns {jobs/s, CPU microseconds of this JVM per job}. */
  static double[] run(Vertx client, String url, int jobs, boolean metricsOn) throws Exception {
    String load = loadavg();
    Metrics metrics = metricsOn ? Metrics.prometheus(MetricsConfig.DEFAULTS) : Metrics.disabled();
    Vertx vertx = MeteredVertx.create(new VertxOptions().setPreferNativeTransport(true), metrics);
    Telemetry telemetry = Telemetry.create(TelemetryConfig.DEFAULTS.withSampling(SamplingPolicy.DEFAULTS), List.of(),
        metrics);
    long scraped;
    try {
      StoreConfig sc = StoreConfig.defaults(url).withNamespace("mb" + UUID.randomUUID().toString().substring(0, 6))
          .withPoolSize(32);
      JobStore store = StoreBench.await(JobStore.connect(vertx, sc));
      GatewayVerticle gw = ApiNode.deploy(vertx, sc, telemetry, new JsonObject());
      WorkerConfig wc = WorkerConfig.defaults(WorkerCapabilities.of("bench-w", "simulation").withMachine("bench-m"))
          .withConcurrency(64).withProgressThrottle(0);
      StoreBench.await(vertx.deployVerticle(new WorkerVerticle(wc, new SimulationConnector(SimulationConfig.DEFAULTS),
          new FileResultStore(vertx, Files.createTempDirectory("mb")), telemetry, store)));
      WebClient http = WebClient.create(client, new WebClientOptions().setDefaultHost("127.0.0.1")
          .setDefaultPort(gw.actualPort()), new PoolOptions().setHttp1MaxSize(64));
      AtomicLong scrapes = new AtomicLong();
      long scrapeMs = Long.getLong("bench.scrape_ms", 15_000);
      long scrapeTimer = metricsOn && scrapeMs > 0 ? client.setPeriodic(scrapeMs, t -> http.get("/metrics").send()
          .onSuccess(r -> scrapes.incrementAndGet())) : -1;
      long t0 = System.nanoTime();
      long cpu0 = cpuNanos();
      AtomicLong next = new AtomicLong();
      List<Future<Void>> loops = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        Promise<Void> p = Promise.promise();
        loops.add(p.future());
        client.runOnContext(v -> submitLoop(http, jobs, next, p));
      }
      StoreBench.await(Future.all(loops));
      long done;
      do {
        TimeUnit.MILLISECONDS.sleep(10);
        done = StoreBench.await(store.queries().stats()).stream().filter(s -> "simulation".equals(s.service()))
            .mapToLong(ServiceStats::completed).sum();
      } while (done < jobs);
      double secs = (System.nanoTime() - t0) / 1e9;
      double cpuPerJobUs = (cpuNanos() - cpu0) / 1e3 / jobs;
      if (scrapeTimer >= 0) {
        client.cancelTimer(scrapeTimer);
      }
      scraped = scrapes.get();
      double rate = jobs / secs;
      System.out.printf(Locale.ROOT, "metrics %-3s  %6.0f jobs/s  %5.0f us CPU/job  (%d jobs in %.2f s, %d scrapes; "
          + "loadavg before: %s)%n", metricsOn ? "on" : "off", rate, cpuPerJobUs, jobs, secs, scraped, load);
      // the store goes with the Vert.x instance, after the worker (which uses it) has drained
      return new double[] {rate, cpuPerJobUs};
    } finally {
      vertx.close().await();
      telemetry.close();
    }
  }

  static void submitLoop(WebClient http, int jobs, AtomicLong next, Promise<Void> done) {
    if (next.incrementAndGet() > jobs) {
      done.complete();
      return;
    }
    http.post("/api/jobs").putHeader("Authorization", "Bearer " + KEY)
        .sendJsonObject(new JsonObject().put("service_required", "simulation").put("payload",
            new JsonObject().put("steps", 0)))
        .onComplete(ar -> {
          if (ar.failed() || ar.result().statusCode() != 201) {
            done.fail(ar.failed() ? ar.cause() : new IllegalStateException("submit answered "
                + ar.result().statusCode()));
          } else {
            submitLoop(http, jobs, next, done);
          }
        });
  }
}
