package io.emp.jobqueue.bench;

import io.emp.jobqueue.core.model.JobSpec;
import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.emp.jobqueue.queue.store.SubmitOutcome;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Bulk submit smoke (issue 16): N jobs through {@link JobStore#submitAll} in batches of B, one batch at a
 * time, against the same N as single submits with 64 in flight; wall time and Redis CPU per job. Starts
 * its own redis-server unless REDIS_URL is set. Env BENCH_JOBS (20000), BENCH_BATCH (1000).
 * Run: bench/run.sh batch
 */
public final class BatchBench {
  public static void main(String[] args) throws Exception {
    int jobs = Integer.parseInt(System.getenv().getOrDefault("BENCH_JOBS", "20000"));
    int batch = Integer.parseInt(System.getenv().getOrDefault("BENCH_BATCH", "1000"));
    try (BenchRedis r = BenchRedis.start()) {
      Vertx vertx = r.vertx;
      String url = r.url;
      JsonObject payload = new JsonObject().put("prompt", "a small job").put("steps", 1);
      // warm-up: scripts cached, connections open, JIT
      run(vertx, url, 2_000, batch, payload, true);
      run(vertx, url, 2_000, batch, payload, false);
      double[] batched = run(vertx, url, jobs, batch, payload, true);
      double[] single = run(vertx, url, jobs, batch, payload, false);
      System.out.printf("%d jobs: batches of %d %.2f s (%.0f jobs/s, Redis CPU %.0f us/job); single submits, 64 in "
              + "flight %.2f s (%.0f jobs/s, Redis CPU %.0f us/job)%n", jobs, batch, batched[0], jobs / batched[0],
          batched[1] * 1e6 / jobs, single[0], jobs / single[0], single[1] * 1e6 / jobs);
    }
  }

  /** Wall seconds and Redis CPU seconds of submitting {@code jobs}. */
  private static double[] run(Vertx vertx, String url, int jobs, int batch, JsonObject payload, boolean batched) {
    JobStore store = JobStore.connect(vertx, StoreConfig.defaults(url)
        .withNamespace("bb" + UUID.randomUUID().toString().substring(0, 6)).withMaxPending(jobs + 1)).await();
    try {
      double cpu0 = RedisInfo.cpuSeconds(store);
      long t0 = System.nanoTime();
      if (batched) {
        for (int from = 0; from < jobs; from += batch) {
          List<JobSpec> specs = new ArrayList<>(batch);
          for (int i = from; i < Math.min(jobs, from + batch); i++) {
            specs.add(JobSpec.of("bench", 50, payload));
          }
          List<SubmitOutcome> out = store.submitAll(specs).await();
          if (!out.stream().allMatch(SubmitOutcome::succeeded)) {
            throw new IllegalStateException("a job was refused");
          }
        }
      } else {
        int inFlight = 64;
        int[] next = {0};
        List<Future<Void>> lanes = new ArrayList<>();
        for (int l = 0; l < inFlight; l++) {
          lanes.add(lane(store, payload, next, jobs));
        }
        Future.all(lanes).await();
      }
      double wall = (System.nanoTime() - t0) / 1e9;
      return new double[] {wall, RedisInfo.cpuSeconds(store) - cpu0};
    } finally {
      store.close();
    }
  }

  private static Future<Void> lane(JobStore store, JsonObject payload, int[] next, int jobs) {
    synchronized (next) {
      if (next[0] >= jobs) {
        return Future.succeededFuture();
      }
      next[0]++;
    }
    return store.submit(JobSpec.of("bench", 50, payload)).compose(r -> lane(store, payload, next, jobs));
  }
}
