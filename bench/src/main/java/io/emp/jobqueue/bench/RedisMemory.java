package io.emp.jobqueue.bench;

import io.emp.jobqueue.core.model.JobSpec;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.core.model.WorkerCapabilities;
import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Redis bytes per pending job and per retained completed job (issue 16): used_memory before and
 * after 10,000 submits of a 50-byte payload, then after claiming and completing all of them.
 * Also prints the encoding and MEMORY USAGE of one job's keys. Run: bench/run.sh memory
 */
public final class RedisMemory {
  public static void main(String[] args) throws Exception {
    try (BenchRedis redis = BenchRedis.start()) {
      int n = Integer.parseInt(System.getenv().getOrDefault("BENCH_JOBS", "10000"));
      long[] r = measure(redis.vertx, redis.url, n, true);
      System.out.printf(Locale.ROOT, "redis bytes per pending job %d, per retained completed job %d (%d jobs)%n",
          r[0], r[1], n);
      System.out.printf(Locale.ROOT, "without the global event stream (bounded by events_max_len, a fixed cost): "
          + "per pending job %d, per retained job %d%n", r[2], r[3]);
    }
  }

  /**
   * {bytes per pending job, per retained completed job, the same two without the global event
   * stream}; prints one job's keys when asked.
   */
  static long[] measure(Vertx vertx, String url, int n, boolean describe) {
    StoreConfig cfg = StoreConfig.defaults(url).withNamespace("mem" + UUID.randomUUID().toString().substring(0, 6))
        .withPoolSize(8);
    JobStore store = StoreBench.await(JobStore.connect(vertx, cfg));
    JsonObject payload = new JsonObject().put("prompt", "x".repeat(36));  // 50 bytes as JSON
    long base = RedisInfo.usedMemory(store);
    List<String> ids = new ArrayList<>();
    for (int done = 0; done < n; done += 1000) {
      List<Future<io.emp.jobqueue.queue.store.SubmitResult>> fs = new ArrayList<>();
      for (int i = 0; i < 1000 && done + i < n; i++) {
        fs.add(store.submit(JobSpec.of("mem", 50, payload).withTrace(TraceContext.of(traceparent()))));
      }
      for (var s : StoreBench.await(Future.all(fs)).<io.emp.jobqueue.queue.store.SubmitResult>list()) {
        ids.add(s.jobId());
      }
    }
    long pending = (RedisInfo.usedMemory(store) - base) / n;
    long pendingStream = streamBytes(store) / n;
    if (describe) {
      describe(store, cfg, ids.get(0));
      shared(store, n);
    }
    WorkerCapabilities caps = WorkerCapabilities.of("mem", "mem");
    for (int i = 0; i < n; i++) {
      var c = StoreBench.await(store.claim(caps, 10, 60_000)).job().orElseThrow();
      StoreBench.await(store.complete(c.job().id(), c.token(), new JsonObject().put("ok", true),
          TraceContext.of(traceparent())));
    }
    long retained = (RedisInfo.usedMemory(store) - base) / n;
    long retainedStream = streamBytes(store) / n;
    if (describe) {
      describe(store, cfg, ids.get(0));
      shared(store, n);
    }
    store.close();
    return new long[] {pending, retained, pending - pendingStream, retained - retainedStream};
  }

  private static long streamBytes(JobStore store) {
    return StoreBench.await(store.redis().send(Request.cmd(Command.MEMORY).arg("USAGE").arg(store.keys().events())
        .arg("SAMPLES").arg(0))).toLong();
  }

  /** The keys every job shares (queues, indexes, the global stream), per job. */
  private static void shared(JobStore store, int n) {
    var keys = StoreBench.await(store.redis().send(Request.cmd(Command.KEYS).arg(store.keys().prefix().replace("{", "\\{")
        .replace("}", "\\}") + "*")));
    for (var k : keys) {
      String key = k.toString();
      if (key.contains(":job:")) {
        continue;
      }
      long mem = StoreBench.await(store.redis().send(Request.cmd(Command.MEMORY).arg("USAGE").arg(key).arg("SAMPLES")
          .arg(0))).toLong();
      if (mem / n > 0) {
        System.out.printf("  %s: %d bytes per job%n", key, mem / n);
      }
    }
  }

  static String traceparent() {
    var rnd = java.util.concurrent.ThreadLocalRandom.current();
    return String.format("00-%016x%016x-%016x-01", rnd.nextLong(), rnd.nextLong(), rnd.nextLong());
  }

  private static void describe(JobStore store, StoreConfig cfg, String id) {
    var keys = StoreBench.await(store.redis().send(Request.cmd(Command.KEYS).arg("*" + id + "*")));
    for (var k : keys) {
      String key = k.toString();
      var enc = StoreBench.await(store.redis().send(Request.cmd(Command.OBJECT).arg("ENCODING").arg(key)));
      var mem = StoreBench.await(store.redis().send(Request.cmd(Command.MEMORY).arg("USAGE").arg(key)));
      System.out.printf("  %s: %s, %s bytes%n", key, enc, mem);
    }
  }

}
