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
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Gateway benchmark (issue 3): HTTP submit requests/s, and submit -> complete_job on a WebSocket
 * latency at fixed arrival rates with a zero-work job, tracing on (every seed span, tail sampling,
 * trace store). Everything in one JVM with Redis co-located. Run: bench/run.sh gateway
 */
public final class GatewayBench {
  static final String KEY = ApiNode.KEY;
  static Map<String, Long> EARLY = new ConcurrentHashMap<>();
  static final AtomicLong FAILED = new AtomicLong();
  static WebSocketClient monitorClient;
  static volatile boolean finished;

  public static void main(String[] args) throws Exception {
    int seconds = Integer.parseInt(System.getProperty("bench.seconds", "10"));
    TestRedis redis = TestRedis.start();
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    Telemetry telemetry = Telemetry.create(TelemetryConfig.DEFAULTS.withSampling(SamplingPolicy.DEFAULTS), List.of());
    try {
      StoreConfig sc = StoreConfig.defaults(redis.url()).withNamespace("gb").withPoolSize(32);
      JobStore store = StoreBench.await(JobStore.connect(vertx, sc));
      // The bench's one monitor socket receives every event (5 per job): give it room, so the
      // gateway's slow-consumer cut-off does not end the measurement at 2,000 jobs/s.
      GatewayVerticle gw = ApiNode.deploy(vertx, sc, telemetry, new JsonObject().put("ws_max_queued_messages", 200_000));
      int port = gw.actualPort();
      WebClient http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port),
          new PoolOptions().setHttp1MaxSize(64));
      System.out.printf("gateway on %d, redis %s, %d cores, tracing on (tail sampling), %d s per run%n", port,
          redis.url(), Runtime.getRuntime().availableProcessors(), seconds);

      // 1) submit throughput: no worker serves "nobody", so only intake is measured (bench.submit=false skips it)
      if (Boolean.parseBoolean(System.getProperty("bench.submit", "true"))) {
        submitThroughput(vertx, http, 2, "nobody");
        submitThroughput(vertx, http, seconds, "nobody");
      }

      // 2) latency at fixed rates, with a worker running zero-work jobs
      WorkerConfig wc = WorkerConfig.defaults(WorkerCapabilities.of("bench-w", "simulation")).withConcurrency(64)
          .withProgressThrottle(0);
      StoreBench.await(vertx.deployVerticle(new WorkerVerticle(wc, new SimulationConnector(SimulationConfig.DEFAULTS),
          new FileResultStore(vertx, Files.createTempDirectory("gb")), telemetry, store)));
      Map<String, Long> sentAt = new ConcurrentHashMap<>();
      // a completion can overtake the submit's own HTTP answer: keep it until the answer names the job
      Map<String, Long> early = new ConcurrentHashMap<>();
      EARLY = early;
      List<Long> latencies = new ArrayList<>();
      // Held in a field: Vert.x closes a WebSocketClient nobody references (a Cleaner, 30 s after it is
      // collected), which closed the monitor socket with 1000 part-way through the 2,000 jobs/s run.
      monitorClient = vertx.createWebSocketClient();
      WebSocket monitor = StoreBench.await(monitorClient.connect(new WebSocketConnectOptions()
          .setHost("127.0.0.1").setPort(port).setURI("/ws/monitor").addHeader("Authorization", "Bearer " + KEY)));
      monitor.closeHandler(v -> {
        if (!finished) {
          System.out.println("monitor socket closed during the run: " + monitor.closeStatusCode() + " "
              + monitor.closeReason());
        }
      });
      monitor.textMessageHandler(text -> {
        JsonObject m = new JsonObject(text);
        if ("complete_job".equals(m.getString("type"))) {
          long now = System.nanoTime();
          Long t0 = sentAt.remove(m.getString("job_id"));
          if (t0 != null) {
            synchronized (latencies) {
              latencies.add(now - t0);
            }
          } else {
            early.put(m.getString("job_id"), now);
          }
        }
      });
      // bench.rates=2000 runs only that rate (a short smoke run)
      int[] rates = Arrays.stream(System.getProperty("bench.rates", "500,1000,2000").split(","))
          .mapToInt(r -> Integer.parseInt(r.trim())).toArray();
      for (int rate : rates) {
        latency(vertx, http, sentAt, latencies, rate, 2, false);
        latency(vertx, http, sentAt, latencies, rate, seconds, true);
      }
      finished = true;
    } finally {
      vertx.close().await();
      telemetry.close();
      redis.close();
    }
  }

  static Future<String> submit(WebClient http, String service) {
    return http.post("/api/jobs").putHeader("Authorization", "Bearer " + KEY)
        .sendJsonObject(new JsonObject().put("service_required", service).put("payload", new JsonObject()
            .put("steps", 0)))
        .map(r -> {
          if (r.statusCode() != 201) {
            throw new IllegalStateException("submit answered " + r.statusCode() + " " + r.bodyAsString());
          }
          return r.bodyAsJsonObject().getString("job_id");
        });
  }

  static void submitThroughput(Vertx vertx, WebClient http, int seconds, String service) {
    long deadline = System.currentTimeMillis() + seconds * 1000L;
    AtomicLong ok = new AtomicLong();
    List<Future<Void>> loops = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int i = 0; i < 64; i++) {
      Promise<Void> p = Promise.promise();
      loops.add(p.future());
      vertx.runOnContext(v -> submitLoop(http, service, deadline, ok, p));
    }
    StoreBench.await(Future.all(loops));
    double secs = (System.nanoTime() - t0) / 1e9;
    if (seconds > 2) {
      System.out.printf(Locale.ROOT, "HTTP submit: %8.0f req/s  (64 connections, %d requests in %.1f s)%n",
          ok.get() / secs, ok.get(), secs);
    }
  }

  private static void submitLoop(WebClient http, String service, long deadline, AtomicLong ok, Promise<Void> done) {
    if (System.currentTimeMillis() >= deadline) {
      done.complete();
      return;
    }
    submit(http, service).onComplete(ar -> {
      if (ar.failed()) {
        done.fail(ar.cause());
      } else {
        ok.incrementAndGet();
        submitLoop(http, service, deadline, ok, done);
      }
    });
  }

  static void latency(Vertx vertx, WebClient http, Map<String, Long> sentAt, List<Long> latencies, int rate,
                      int seconds, boolean report) throws InterruptedException {
    synchronized (latencies) {
      latencies.clear();
    }
    // A previous run's late completions must not count towards this one ("20,040 of 20,000")
    sentAt.clear();
    EARLY.clear();
    int total = rate * seconds;
    AtomicLong sent = new AtomicLong();
    long start = System.nanoTime();
    // open loop: a 1 ms timer releases the submissions that are due, so arrivals keep their rate
    long timer = vertx.setPeriodic(1, t -> {
      long due = Math.min(total, (System.nanoTime() - start) * rate / 1_000_000_000L);
      while (sent.get() < due) {
        sent.incrementAndGet();
        long t0 = System.nanoTime();
        submit(http, "simulation").onFailure(err -> {
          if (FAILED.incrementAndGet() == 1) {
            System.out.println("first failed submit: " + err);
          }
        }).onSuccess(id -> {
          Long done = EARLY.remove(id);
          if (done != null) {
            synchronized (latencies) {
              latencies.add(done - t0);
            }
          } else {
            sentAt.put(id, t0);
          }
        });
      }
    });
    long deadline = System.currentTimeMillis() + seconds * 1000L + 15_000;
    while (System.currentTimeMillis() < deadline) {
      synchronized (latencies) {
        if (latencies.size() >= total) {
          break;
        }
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
    vertx.cancelTimer(timer);
    if (!report) {
      return;
    }
    long[] ns;
    synchronized (latencies) {
      ns = latencies.stream().mapToLong(Long::longValue).toArray();
    }
    Arrays.sort(ns);
    if (ns.length == 0) {
      System.out.printf("rate %d/s: no completions%n", rate);
      return;
    }
    System.out.printf(Locale.ROOT, "submit -> complete_job on WS at %4d jobs/s: p50 %6.2f ms  p95 %6.2f ms  p99 %6.2f ms"
            + "  (%d of %d completed, %d submits failed)%n", rate, ns[ns.length / 2] / 1e6, ns[(int) (ns.length * 0.95)] / 1e6,
        ns[(int) (ns.length * 0.99)] / 1e6, ns.length, total, FAILED.getAndSet(0));
  }
}
