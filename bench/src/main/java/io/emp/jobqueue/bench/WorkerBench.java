package io.emp.jobqueue.bench;

import io.emp.jobqueue.core.model.JobSpec;
import io.emp.jobqueue.core.model.WorkerCapabilities;
import io.emp.jobqueue.core.telemetry.SamplingPolicy;
import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.core.telemetry.TelemetryConfig;
import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.queue.store.ServiceStats;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.emp.jobqueue.worker.FileResultStore;
import io.emp.jobqueue.worker.WorkerConfig;
import io.emp.jobqueue.worker.WorkerVerticle;
import io.emp.jobqueue.worker.simulation.SimulationConfig;
import io.emp.jobqueue.worker.simulation.SimulationConnector;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Worker benchmark (issue 4): zero-work simulation jobs through the store and a WorkerVerticle with
 * concurrency 50, tracing on (every seed span, tail sampler, trace store, batch export to a counting
 * no-op exporter) vs off. The queue is pre-filled; the clock runs from deploy to the last completion.
 * Run: bench/run.sh worker
 */
public final class WorkerBench {
  public static void main(String[] args) throws Exception {
    int jobs = Integer.parseInt(System.getProperty("bench.jobs", "20000"));
    int concurrency = Integer.parseInt(System.getProperty("bench.concurrency", "50"));
    try (BenchRedis r = BenchRedis.start()) {
      Vertx vertx = r.vertx;
      String url = r.url;
      System.out.printf("redis %s, %d jobs, worker concurrency %d, %d cores%n", url, jobs, concurrency,
          Runtime.getRuntime().availableProcessors());
      int rounds = Integer.parseInt(System.getProperty("bench.rounds", "3"));
      run(vertx, url, Math.min(jobs, 5_000), concurrency, Mode.TRACED, true); // warm-up
      run(vertx, url, Math.min(jobs, 5_000), concurrency, Mode.OFF, true);
      for (int round = 0; round < rounds; round++) {
        // the order rotates, so no mode always runs first after a GC-heavy one
        List<Mode> order = new ArrayList<>(modes());
        java.util.Collections.rotate(order, round);
        for (Mode m : order) {
          run(vertx, url, jobs, concurrency, m, false);
        }
      }
    }
  }

  /**
   * OFF: no tracing, no metrics; METRICS: metrics only (the baseline for the cost of tracing, which
   * never runs without them in a node); TRACED: every seed span, tail sampling, trace store, export.
   */
  enum Mode { OFF, METRICS, TRACED }

  /** -Dbench.modes=traced,metrics runs only those (profiling one mode); default: all three. */
  static List<Mode> modes() {
    String m = System.getProperty("bench.modes", "off,metrics,traced");
    return java.util.Arrays.stream(m.split(",")).map(x -> Mode.valueOf(x.trim().toUpperCase(Locale.ROOT))).toList();
  }

  static void run(Vertx vertx, String url, int jobs, int concurrency, Mode mode, boolean warmup)
      throws Exception {
    boolean tracing = mode == Mode.TRACED;
    StoreConfig sc = StoreConfig.defaults(url).withNamespace("wb" + UUID.randomUUID().toString().substring(0, 6))
        .withPoolSize(32);
    JobStore store = StoreBench.await(JobStore.connect(vertx, sc));
    AtomicLong exported = new AtomicLong();
    Telemetry telemetry = tracing
        ? Telemetry.create(TelemetryConfig.DEFAULTS.withSampling(SamplingPolicy.DEFAULTS),
            List.of(BatchSpanProcessor.builder(counting(exported)).setMaxQueueSize(10_000)
                .setMaxExportBatchSize(1_000).build()))
        : mode == Mode.METRICS ? Telemetry.untraced(io.emp.jobqueue.core.metrics.Metrics.prometheus(
            io.emp.jobqueue.core.metrics.MetricsConfig.DEFAULTS)) : Telemetry.disabled();
    List<Future<?>> fs = new ArrayList<>();
    for (int i = 0; i < jobs; i++) {
      fs.add(store.submit(JobSpec.of("simulation", 50, new JsonObject().put("steps", 0))));
      if (fs.size() == 2_000) {
        StoreBench.await(Future.all(fs));
        fs.clear();
      }
    }
    StoreBench.await(Future.all(fs));
    WorkerConfig wc = WorkerConfig.defaults(WorkerCapabilities.of("bench-worker", "simulation"))
        .withConcurrency(concurrency).withProgressThrottle(0);
    WorkerVerticle worker = new WorkerVerticle(wc, new SimulationConnector(SimulationConfig.DEFAULTS),
        new FileResultStore(vertx, Files.createTempDirectory("bench-results")), telemetry, store);
    long t0 = System.nanoTime();
    String id = StoreBench.await(vertx.deployVerticle(worker));
    long done;
    do {
      TimeUnit.MILLISECONDS.sleep(20);
      done = StoreBench.await(store.queries().stats()).stream().mapToLong(ServiceStats::completed).sum();
    } while (done < jobs);
    double secs = (System.nanoTime() - t0) / 1e9;
    StoreBench.await(vertx.undeploy(id));
    telemetry.flush().join(10, TimeUnit.SECONDS);
    if (!warmup) {
      System.out.printf(Locale.ROOT, "%-7s  %7.0f jobs/s  (%d jobs in %.2f s; spans exported %d, kept traces %d)%n",
          mode.name().toLowerCase(Locale.ROOT), jobs / secs, jobs, secs, exported.get(),
          tracing ? telemetry.sampler().counters().get("kept_traces") : 0);
    }
    telemetry.close();
    store.close();
  }

  static SpanExporter counting(AtomicLong n) {
    return new SpanExporter() {
      @Override
      public CompletableResultCode export(Collection<SpanData> spans) {
        n.addAndGet(spans.size());
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
      }
    };
  }
}
