package io.emp.jobqueue.bench;

import io.emp.jobqueue.core.model.Hardware;
import io.emp.jobqueue.core.model.JobSpec;
import io.emp.jobqueue.core.model.Requirements;
import io.emp.jobqueue.core.model.WorkerCapabilities;
import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.emp.jobqueue.testing.TestRedis;
import io.emp.jobqueue.testing.TestRedisCluster;
import io.emp.jobqueue.testing.TestSentinels;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Store benchmark (issue 2): submit -> claim -> complete lifecycles/s at several concurrencies, Redis
 * CPU per lifecycle (INFO cpu before/after), and claim latency against growing backlogs of another
 * service. Starts its own redis-server unless REDIS_URL is set. Run: bench/run.sh store
 */
public final class StoreBench {
  /** queue.store.wait_replicas for every store of the run (env BENCH_WAIT_REPLICAS; 0: off). */
  static final int WAIT_REPLICAS = Integer.parseInt(System.getenv().getOrDefault("BENCH_WAIT_REPLICAS", "0"));
  /** queue.store.shards for every store of the run (env BENCH_SHARDS; default 6 on a cluster, else 1). */
  static final int SHARDS = Integer.parseInt(System.getenv().getOrDefault("BENCH_SHARDS",
      "cluster".equals(System.getenv("BENCH_REDIS")) ? "6" : "1"));
  /** The masters of BENCH_REDIS=cluster, whose CPU is read one by one; null otherwise. */
  static List<Integer> masters;

  /**
   * Env BENCH_REDIS=sentinel: its own master, replica and three sentinels (TestSentinels), reached
   * through a redis-sentinel:// url; BENCH_REDIS=replicated: the same, the master reached through a
   * plain redis:// url; BENCH_REDIS=cluster: its own 3-master Redis Cluster (TestRedisCluster, no
   * replicas), the jobs over BENCH_SHARDS shards, Redis CPU reported per master. BENCH_PARTS=lifecycles
   * skips the claim-latency part.
   */
  public static void main(String[] args) throws Exception {
    int seconds = Integer.parseInt(System.getProperty("bench.seconds", "10"));
    String url = System.getenv("REDIS_URL");
    String mode = System.getenv().getOrDefault("BENCH_REDIS", "standalone");
    // "replicated": the same master, replica and sentinels, but the master reached with a plain url,
    // which separates what replication costs the box from what the sentinel client costs
    boolean sentinel = "sentinel".equals(mode) || "replicated".equals(mode);
    boolean cluster = "cluster".equals(mode);
    TestRedis own = url == null && !sentinel && !cluster ? TestRedis.start() : null;
    TestSentinels ownGroup = url == null && sentinel ? TestSentinels.start() : null;
    // a replica per master only when asked (BENCH_CLUSTER_REPLICAS=1): wait_replicas needs them
    TestRedisCluster ownCluster = url == null && cluster
        ? TestRedisCluster.start(3, Integer.parseInt(System.getenv().getOrDefault("BENCH_CLUSTER_REPLICAS", "0"))) : null;
    if (ownCluster != null) {
      url = ownCluster.url();
      masters = ownCluster.masterPorts();
    } else if (own != null) {
      url = own.url();
    } else if (ownGroup != null) {
      url = "replicated".equals(mode) ? TestSentinels.url(ownGroup.masterPort()) : ownGroup.url();
    }
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    try {
      System.out.printf("redis %s, shards %d, wait_replicas %d, native transport %s, %d cores, %d s per run%n", url,
          SHARDS, WAIT_REPLICAS, vertx.isNativeTransportEnabled(), Runtime.getRuntime().availableProcessors(), seconds);
      for (String c : System.getProperty("bench.concurrencies", "1,8,64").split(",")) {
        int concurrency = Integer.parseInt(c.trim());
        lifecycles(vertx, url, concurrency, seconds);
      }
      if (!"lifecycles".equals(System.getenv("BENCH_PARTS"))) {
        claimLatency(vertx, url, new int[] {0, 10_000, 100_000}, false);
        claimLatency(vertx, url, new int[] {0, 10_000, 100_000}, true);
      }
    } finally {
      vertx.close().await();
      if (own != null) {
        own.close();
      }
      if (ownGroup != null) {
        ownGroup.close();
      }
      if (ownCluster != null) {
        ownCluster.close();
      }
    }
  }

  static JobStore store(Vertx vertx, String url, int pool) {
    StoreConfig cfg = StoreConfig.defaults(url).withNamespace("bench" + UUID.randomUUID().toString().substring(0, 6))
        .withPoolSize(pool).withShards(SHARDS);
    if (WAIT_REPLICAS > 0) {
      cfg = cfg.withWaitReplicas(WAIT_REPLICAS, StoreConfig.DEFAULT_WAIT_TIMEOUT_MS);
    }
    return await(JobStore.connect(vertx, cfg));
  }

  static void lifecycles(Vertx vertx, String url, int concurrency, int seconds) {
    JobStore store = store(vertx, url, Math.min(64, Math.max(2, concurrency)));
    WorkerCapabilities caps = WorkerCapabilities.of("bench", "sim");
    JsonObject payload = new JsonObject().put("steps", 0);
    // warm up the JIT and the pool for 2 s, then measure
    run(vertx, store, caps, payload, concurrency, 2_000);
    long callsBefore = masters == null ? 0 : scriptCalls();
    double[] cpuBefore = cpuSeconds(store);
    long start = System.nanoTime();
    long done = run(vertx, store, caps, payload, concurrency, seconds * 1000L);
    double elapsed = (System.nanoTime() - start) / 1e9;
    double[] cpuAfter = cpuSeconds(store);
    String calls = masters == null ? ""
        : String.format(Locale.ROOT, ", %.2f script calls/lifecycle", (scriptCalls() - callsBefore) / (double) done);
    double cpu = 0;
    StringBuilder perMaster = new StringBuilder();
    for (int i = 0; i < cpuAfter.length; i++) {
      double used = cpuAfter[i] - cpuBefore[i];
      cpu += used;
      perMaster.append(i == 0 ? "" : " / ").append(String.format(Locale.ROOT, "%.1f", used * 1e6 / done));
    }
    System.out.printf(Locale.ROOT, "lifecycles concurrency=%-3d %8.0f /s   redis cpu %6.1f us/lifecycle%s   (%d in %.1f s)%n",
        concurrency, done / elapsed, cpu * 1e6 / done,
        cpuAfter.length > 1 ? " (per master: " + perMaster + calls + ")" : "", done, elapsed);
    store.close();
  }

  /** Redis CPU seconds so far: of the one server, or of each master of BENCH_REDIS=cluster. */
  static double[] cpuSeconds(JobStore store) {
    if (masters == null) {
      return new double[] {RedisInfo.cpuSeconds(store)};
    }
    double[] out = new double[masters.size()];
    for (int i = 0; i < out.length; i++) {
      try {
        String info = TestSentinels.info(masters.get(i), "cpu");
        out[i] = RedisInfo.field(info, "used_cpu_user") + RedisInfo.field(info, "used_cpu_sys");
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    return out;
  }

  /** EVALSHA and EVAL calls so far on every master of BENCH_REDIS=cluster. */
  static long scriptCalls() {
    long n = 0;
    for (int port : masters) {
      try {
        for (String line : TestSentinels.info(port, "commandstats").split("\r?\n")) {
          if (line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_eval:")) {
            int at = line.indexOf("calls=") + 6;
            n += Long.parseLong(line.substring(at, line.indexOf(',', at)));
          }
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    return n;
  }

  static long run(Vertx vertx, JobStore store, WorkerCapabilities caps, JsonObject payload, int concurrency,
                  long millis) {
    long deadline = System.currentTimeMillis() + millis;
    AtomicLong count = new AtomicLong();
    List<Future<Void>> loops = new ArrayList<>();
    for (int i = 0; i < concurrency; i++) {
      Promise<Void> p = Promise.promise();
      vertx.runOnContext(v -> lifecycleLoop(store, caps, payload, deadline, count, p));
      loops.add(p.future());
    }
    await(Future.all(loops));
    return count.get();
  }

  private static void lifecycleLoop(JobStore store, WorkerCapabilities caps, JsonObject payload, long deadline,
                                    AtomicLong count, Promise<Void> done) {
    if (System.currentTimeMillis() >= deadline) {
      done.complete();
      return;
    }
    store.submit(JobSpec.of("sim", 50, payload))
        .compose(s -> store.claim(caps, 10, 60_000))
        .compose(c -> c.job().isEmpty() ? Future.succeededFuture()
            : store.complete(c.job().get().job().id(), c.job().get().token(), new JsonObject(), null).mapEmpty())
        .onSuccess(v -> count.incrementAndGet())
        .onComplete(ar -> {
          if (ar.failed()) {
            done.fail(ar.cause());
          } else {
            lifecycleLoop(store, caps, payload, deadline, count, done);
          }
        });
  }

  /**
   * @param servesOther false: the backlog is another service this worker does not run (the common
   *                    case: it lives in its own sorted set and is never looked at); true: the worker
   *                    runs it too but matches none of it, so each claim scans up to its scan limit
   */
  static void claimLatency(Vertx vertx, String url, int[] backlogs, boolean servesOther) {
    for (int backlog : backlogs) {
      JobStore store = store(vertx, url, 16);
      // The other service's jobs need a GPU this worker lacks, so every claim must look past them.
      Requirements gpu = new Requirements(new Hardware(8.0, null, null, null), null, null, null, null);
      fill(store, backlog, gpu);
      WorkerCapabilities caps = servesOther ? WorkerCapabilities.of("bench", "other", "target")
          : WorkerCapabilities.of("bench", "target");
      int samples = 2_000;
      long[] nanos = new long[samples];
      for (int i = -500; i < samples; i++) {
        await(store.submit(JobSpec.of("target", 50, new JsonObject())));
        long t0 = System.nanoTime();
        var c = await(store.claim(caps, 25, 60_000)).job().orElseThrow();
        long t = System.nanoTime() - t0;
        await(store.complete(c.job().id(), c.token(), new JsonObject(), null));
        if (i >= 0) {
          nanos[i] = t;
        }
      }
      Arrays.sort(nanos);
      System.out.printf(Locale.ROOT, "claim latency, %6d pending of another service (%s): p50 %6.1f us  p99 %6.1f us%n",
          backlog, servesOther ? "served, unmatched, scan limit 25" : "not served by this worker",
          nanos[samples / 2] / 1e3, nanos[samples * 99 / 100] / 1e3);
      store.close();
    }
  }

  private static void fill(JobStore store, int n, Requirements req) {
    int batch = 2_000;
    for (int done = 0; done < n; done += batch) {
      List<Future<?>> fs = new ArrayList<>();
      for (int i = 0; i < Math.min(batch, n - done); i++) {
        fs.add(store.submit(JobSpec.of("other", 100, new JsonObject()).withRequirements(req)));
      }
      await(Future.all(fs));
    }
  }

  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(300, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
