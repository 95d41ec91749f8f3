package io.emp.jobqueue.bench;

import io.emp.jobqueue.core.model.JobEvent;
import io.emp.jobqueue.core.model.JobLimits;
import io.emp.jobqueue.core.model.JobSpec;
import io.emp.jobqueue.core.model.JobStatus;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.queue.QueueClient;
import io.emp.jobqueue.queue.QueueConfig;
import io.emp.jobqueue.queue.QueueVerticle;
import io.emp.jobqueue.queue.bus.BusTracing;
import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.emp.jobqueue.testing.TestRedis;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Cluster benchmark (issue 14), three JVMs on loopback sharing one redis-server: this one (the
 * driver, as an API node without a queue), a queue node and a worker node ({@link ClusterBenchNode}).
 * Per run:
 * <ul>
 *   <li>event-bus request latency to the queue node's echo consumer, open loop at a fixed rate
 *       (default 5,000 req/s), from each send to its reply, with how late sends left their schedule;</li>
 *   <li>submit throughput through the remote queue node vs a queue verticle in this JVM (64 in flight);</li>
 *   <li>cancel latency across JVMs: the driver cancels running jobs through the queue node, whose
 *       signal reaches the worker node; from the job_cancel_requested event to the job_cancelled
 *       event the worker writes (both on the Redis clock);</li>
 *   <li>join time of a new member in this (warm) JVM; the two child JVMs report their first join.</li>
 * </ul>
 * Runs {@code bench.runs} times (default 3) and prints each run and the medians, with the load
 * average. Run: bench/run.sh cluster
 */
public final class ClusterBench {
  private static final int SUBMIT_IN_FLIGHT = 64;

  private ClusterBench() {
  }

  public static void main(String[] args) throws Exception {
    int runs = Integer.getInteger("bench.runs", 3);
    int rate = Integer.getInteger("bench.rate", 5_000);
    int seconds = Integer.getInteger("bench.seconds", 10);
    int cancels = Integer.getInteger("bench.cancels", 200);
    String url = System.getenv("REDIS_URL");
    TestRedis own = url == null ? TestRedis.start() : null;
    if (own != null) {
      url = own.url();
    }
    String name = "bench-" + UUID.randomUUID().toString().substring(0, 8);
    int driverPort = TestRedis.freePort();
    int queuePort = TestRedis.freePort();
    int workerPort = TestRedis.freePort();
    List<String> members = List.of("127.0.0.1:" + queuePort, "127.0.0.1:" + workerPort, "127.0.0.1:" + driverPort);
    String ns = "cb" + UUID.randomUUID().toString().substring(0, 6);
    List<Process> children = new ArrayList<>();
    try {
      System.out.printf(Locale.ROOT, "%d cores, load %s, %d runs: %d req/s for %d s, %d cancels%n",
          Runtime.getRuntime().availableProcessors(), load(), runs, rate, seconds, cancels);
      ClusterBenchChild.Child queue = ClusterBenchChild.start("queue", name, queuePort, members, url, ns);
      children.add(queue.process());
      ClusterBenchChild.Child worker = ClusterBenchChild.start("worker", name, workerPort, members, url, ns);
      children.add(worker.process());
      System.out.printf(Locale.ROOT, "first join in a fresh JVM: queue node %d ms, worker node %d ms%n",
          queue.joinMs(), worker.joinMs());
      Vertx driver = BenchCluster.join(name, driverPort, members).await();
      JobStore store = JobStore.connect(driver, StoreConfig.defaults(url).withNamespace(ns)).await();
      QueueClient remote = new QueueClient(driver, new QueueClient.Options(30_000, 30_000, 50), BusTracing.none());
      List<double[]> results = new ArrayList<>();
      for (int r = 1; r <= runs; r++) {
        String before = load();
        double[] lat = busLatency(driver, rate, seconds);
        double remoteRate = submitRate(driver, remote, seconds);
        double localRate = localSubmitRate(url, seconds);
        double[] cancel = cancelLatency(driver, remote, store, cancels);
        double join = joinMs(name, members);
        System.out.printf(Locale.ROOT, "run %d (load %s -> %s): bus p50 %.3f ms p99 %.3f ms p99.9 %.3f ms max %.1f ms"
                + " (%.0f req/s sent, p99 send lag %.2f ms); submit remote %.0f/s local %.0f/s; cancel p50 %.0f ms"
                + " p99 %.0f ms max %.0f ms (n=%d); join %.0f ms%n", r, before, load(), lat[0], lat[1], lat[2], lat[3],
            lat[4], lat[5], remoteRate, localRate, cancel[0], cancel[1], cancel[2], (int) cancel[3], join);
        results.add(new double[] {lat[0], lat[1], lat[2], remoteRate, localRate, cancel[0], cancel[1], join});
      }
      System.out.printf(Locale.ROOT, "median of %d: bus p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms; submit remote %.0f/s,"
              + " local %.0f/s; cancel p50 %.0f ms, p99 %.0f ms; join %.0f ms (load now %s)%n", runs,
          median(results, 0), median(results, 1), median(results, 2), median(results, 3), median(results, 4),
          median(results, 5), median(results, 6), median(results, 7), load());
      store.close();
      driver.close().await();
    } finally {
      for (Process p : children) {
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
      if (own != null) {
        own.close();
      }
    }
  }

  /**
   * p50, p99, p99.9, max (ms) of request → reply, the rate achieved, and the p99 (ms) of how late
   * requests left against their schedule; open loop at {@code rate} req/s after a 3 s warm-up.
   */
  static double[] busLatency(Vertx vertx, int rate, int seconds) {
    openLoop(vertx, rate, 3, new long[rate * 3]);
    long[] lag = new long[rate * seconds];
    long[] nanos = openLoop(vertx, rate, seconds, lag);
    Arrays.sort(nanos);
    Arrays.sort(lag);
    int n = nanos.length;
    return new double[] {nanos[n / 2] / 1e6, nanos[(int) (n * 0.99)] / 1e6, nanos[(int) (n * 0.999)] / 1e6,
        nanos[n - 1] / 1e6, n / (double) seconds, lag[(int) (n * 0.99)] / 1e6};
  }

  /**
   * Sends on a fixed schedule from one event loop (a 1 ms timer sends what fell due since the last
   * tick). Each latency runs from the send to the reply; {@code lag} keeps how late each send was
   * against its schedule, so a stalled sender shows up instead of hiding (coordinated omission).
   */
  private static long[] openLoop(Vertx vertx, int rate, int seconds, long[] lag) {
    int total = rate * seconds;
    long[] lat = new long[total];
    long intervalNanos = 1_000_000_000L / rate;
    AtomicLong answered = new AtomicLong();
    Promise<Void> done = Promise.promise();
    DeliveryOptions opts = new DeliveryOptions().setSendTimeout(30_000);
    vertx.runOnContext(v -> {
      long start = System.nanoTime();
      int[] sent = {0};
      vertx.setPeriodic(1, id -> {
        long due = Math.min(total, (System.nanoTime() - start) / intervalNanos + 1);
        while (sent[0] < due) {
          int i = sent[0]++;
          long sentAt = System.nanoTime();
          lag[i] = sentAt - (start + i * intervalNanos);
          vertx.eventBus().request(ClusterBenchNode.ECHO, new JsonObject().put("i", i), opts).onComplete(ar -> {
            lat[i] = ar.succeeded() ? System.nanoTime() - sentAt : Long.MAX_VALUE;
            if (answered.incrementAndGet() == total) {
              done.complete();
            }
          });
        }
        if (sent[0] >= total) {
          vertx.cancelTimer(id);
        }
      });
    });
    try {
      done.future().await(seconds + 60L, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("replies missing after " + (seconds + 60) + " s", e);
    }
    return lat;
  }

  static double submitRate(Vertx vertx, QueueClient client, int seconds) {
    submits(vertx, client, 2);
    return submits(vertx, client, seconds) / (double) seconds;
  }

  /** The same submits through a queue verticle in this JVM (a Vert.x of its own, not clustered). */
  static double localSubmitRate(String url, int seconds) {
    Vertx local = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    try {
      StoreConfig sc = StoreConfig.defaults(url).withNamespace("cbl" + UUID.randomUUID().toString().substring(0, 6));
      local.deployVerticle(new QueueVerticle(QueueConfig.defaults(sc), Telemetry.disabled())).await();
      QueueClient client = new QueueClient(local, 30_000);
      return submitRate(local, client, seconds);
    } finally {
      local.close().await();
    }
  }

  private static long submits(Vertx vertx, QueueClient client, int seconds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    AtomicLong count = new AtomicLong();
    List<Future<Void>> loops = new ArrayList<>();
    for (int i = 0; i < SUBMIT_IN_FLIGHT; i++) {
      Promise<Void> p = Promise.promise();
      vertx.runOnContext(v -> submitLoop(client, deadline, count, p));
      loops.add(p.future());
    }
    Future.all(loops).await();
    return count.get();
  }

  private static void submitLoop(QueueClient client, long deadline, AtomicLong count, Promise<Void> done) {
    if (System.nanoTime() >= deadline) {
      done.complete();
      return;
    }
    client.submit(JobSpec.fromJson(new JsonObject().put("service_required", "bench-submit").put("payload", new JsonObject()), JobLimits.DEFAULTS),
        TraceContext.EMPTY).onComplete(ar -> {
          if (ar.failed()) {
            done.fail(ar.cause());
          } else {
            count.incrementAndGet();
            submitLoop(client, deadline, count, done);
          }
        });
  }

  // ---------------------------------------------------------------- cancel across JVMs

  /** p50, p99, max (ms) and the sample count: batches of running jobs, each cancelled through the queue node. */
  static double[] cancelLatency(Vertx vertx, QueueClient client, JobStore store, int cancels) {
    List<Long> ms = new ArrayList<>();
    int batch = 16;
    while (ms.size() < cancels) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < batch; i++) {
        ids.add(client.submit(JobSpec.fromJson(new JsonObject().put("service_required", ClusterBenchNode.CANCEL_SERVICE)
            .put("payload", new JsonObject().put("steps", 1).put("step_ms", 600_000)), JobLimits.DEFAULTS), TraceContext.EMPTY)
            .await().jobId());
      }
      waitUntil(vertx, store, ids, JobStatus.ASSIGNED, JobStatus.IN_PROGRESS);
      for (String id : ids) {
        client.cancel(id, "bench", TraceContext.EMPTY).await();
        sleep(vertx, 5);
      }
      waitUntil(vertx, store, ids, JobStatus.CANCELLED);
      for (String id : ids) {
        List<JobEvent> events = store.queries().events(id, 0, 100).await();
        long requested = ts(events, JobEvent.CANCEL_REQUESTED);
        long cancelled = ts(events, JobEvent.CANCELLED);
        ms.add(cancelled - requested);
      }
    }
    long[] sorted = ms.stream().mapToLong(Long::longValue).sorted().toArray();
    int n = sorted.length;
    return new double[] {sorted[n / 2], sorted[(int) (n * 0.99)], sorted[n - 1], n};
  }

  private static long ts(List<JobEvent> events, String type) {
    return events.stream().filter(e -> type.equals(e.type())).findFirst()
        .orElseThrow(() -> new IllegalStateException("no " + type)).timestamp();
  }

  private static void waitUntil(Vertx vertx, JobStore store, List<String> ids, JobStatus... statuses) {
    List<JobStatus> want = List.of(statuses);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      boolean all = true;
      for (String id : ids) {
        if (!want.contains(store.get(id).await().orElseThrow().status())) {
          all = false;
          break;
        }
      }
      if (all) {
        return;
      }
      sleep(vertx, 20);
    }
    throw new IllegalStateException("jobs did not reach " + want + " in 60 s");
  }

  private static void sleep(Vertx vertx, long ms) {
    Promise<Void> p = Promise.promise();
    vertx.setTimer(ms, t -> p.complete());
    p.future().await();
  }

  /** A new member joining from this (warm) JVM: until its clustered Vert.x is ready. */
  static double joinMs(String name, List<String> members) throws IOException {
    long t0 = System.nanoTime();
    Vertx extra = BenchCluster.join(name, TestRedis.freePort(), members).await();
    double ms = (System.nanoTime() - t0) / 1e6;
    extra.close().await();
    return ms;
  }

  static String load() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "?";
    }
  }

  private static double median(List<double[]> rows, int col) {
    double[] v = rows.stream().mapToDouble(r -> r[col]).sorted().toArray();
    return v[v.length / 2];
  }
}
