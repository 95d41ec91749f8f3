package io.emp.jobqueue.bench;

import io.emp.jobqueue.core.model.JobSpec;
import io.emp.jobqueue.core.model.WorkerCapabilities;
import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.emp.jobqueue.worker.FileResultStore;
import io.emp.jobqueue.worker.WorkerConfig;
import io.emp.jobqueue.worker.WorkerVerticle;
import io.emp.jobqueue.worker.simulation.SimulationConfig;
import io.emp.jobqueue.worker.simulation.SimulationConnector;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Redis calls per job lifecycle: a pre-filled queue of zero-work simulation jobs drained by one
 * WorkerVerticle (tracing off), with Redis' command counters reset after the submits, so INFO
 * commandstats counts only what the worker spent (claims, progress, completions, renewals). The
 * completion is watched with ZCARD, which the worker never sends, so the counters stay clean.
 * Run: bench/run.sh calls (-Dbench.jobs, -Dbench.concurrency)
 */
public final class LifecycleCalls {
  public static void main(String[] args) throws Exception {
    int jobs = Integer.parseInt(System.getProperty("bench.jobs", "10000"));
    int concurrency = Integer.parseInt(System.getProperty("bench.concurrency", "50"));
    try (BenchRedis r = BenchRedis.start()) {
      System.out.printf("%d jobs, worker concurrency %d, %d cores%n", jobs, concurrency,
          Runtime.getRuntime().availableProcessors());
      run(r.vertx, r.url, Math.min(jobs, 2_000), concurrency, true);
      run(r.vertx, r.url, jobs, concurrency, false);
    }
  }

  static void run(Vertx vertx, String url, int jobs, int concurrency, boolean warmup) throws Exception {
    StoreConfig sc = StoreConfig.defaults(url).withNamespace("lc" + UUID.randomUUID().toString().substring(0, 6))
        .withPoolSize(32);
    JobStore store = StoreBench.await(JobStore.connect(vertx, sc));
    List<Future<?>> fs = new ArrayList<>();
    for (int i = 0; i < jobs; i++) {
      fs.add(store.submit(JobSpec.of("simulation", 50, new JsonObject().put("steps", 0))));
      if (fs.size() == 2_000) {
        StoreBench.await(Future.all(fs));
        fs.clear();
      }
    }
    StoreBench.await(Future.all(fs));
    StoreBench.await(store.redis().send(Request.cmd(Command.CONFIG).arg("RESETSTAT")));
    WorkerConfig wc = WorkerConfig.defaults(WorkerCapabilities.of("calls-worker", "simulation"))
        .withConcurrency(concurrency).withProgressThrottle(0);
    WorkerVerticle worker = new WorkerVerticle(wc, new SimulationConnector(SimulationConfig.DEFAULTS),
        new FileResultStore(vertx, Files.createTempDirectory("bench-results")), Telemetry.disabled(), store);
    long t0 = System.nanoTime();
    String id = StoreBench.await(vertx.deployVerticle(worker));
    String completed = store.keys().idx("completed");
    long done;
    do {
      TimeUnit.MILLISECONDS.sleep(5);
      done = StoreBench.await(store.redis().send(Request.cmd(Command.ZCARD).arg(completed))).toLong();
    } while (done < jobs);
    double secs = (System.nanoTime() - t0) / 1e9;
    Map<String, RedisInfo.CommandStat> stats = RedisInfo.commandStats(store);
    StoreBench.await(vertx.undeploy(id));
    store.close();
    if (warmup) {
      return;
    }
    Map<String, Long> calls = new LinkedHashMap<>();
    long scriptUsec = 0;
    for (Map.Entry<String, RedisInfo.CommandStat> e : stats.entrySet()) {
      calls.put(e.getKey(), e.getValue().calls());
      if (e.getKey().equals("evalsha") || e.getKey().equals("eval")) {
        scriptUsec += e.getValue().usec();
      }
    }
    long scripts = calls.getOrDefault("evalsha", 0L) + calls.getOrDefault("eval", 0L);
    System.out.printf(Locale.ROOT, "%7.0f jobs/s (%d jobs in %.2f s); worker script calls %d = %.3f per job "
        + "(+1 submit = %.3f per lifecycle), Redis time in them %.1f us per job; all commands: %s%n", jobs / secs,
        jobs, secs, scripts, scripts / (double) jobs, 1 + scripts / (double) jobs, scriptUsec / (double) jobs, calls);
  }
}
