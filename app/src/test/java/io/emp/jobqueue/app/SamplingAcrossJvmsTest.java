package io.emp.jobqueue.app;

import io.emp.jobqueue.core.telemetry.ServiceName;
import io.emp.jobqueue.core.telemetry.SpanName;
import io.emp.jobqueue.worker.WorkerConfig;
import io.emp.jobqueue.worker.it.WorkerMain;

import io.emp.jobqueue.testing.OtlpReceiver;
import io.emp.jobqueue.testing.OtlpReceiver.ReceivedSpan;

import static io.emp.jobqueue.app.Futures.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.model.JobStatus;
import io.emp.jobqueue.core.telemetry.SamplingPolicy;
import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.core.telemetry.TelemetryConfig;
import io.emp.jobqueue.gateway.GatewayConfig;
import io.emp.jobqueue.gateway.GatewayVerticle;
import io.emp.jobqueue.queue.QueueConfig;
import io.emp.jobqueue.queue.QueueVerticle;
import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.queue.store.ServiceStats;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.emp.jobqueue.testing.TestRedis;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tail sampling across two JVMs. This JVM runs the queue and the gateway, a child JVM runs the
 * simulation worker; both sample with the same policy and export over OTLP to one collector here.
 * 1,000 jobs go in over HTTP: mostly fast, some 1–5 s, a few over 5 s, some failing, some of VIP
 * customers (by API key, and by baggage sent with an admin key). Each job's decision is recomputed with
 * {@link SamplingPolicy#keep} from its stored facts: a kept trace must have arrived whole from both
 * processes, a dropped one not at all, and the kept fraction of each class must fit the policy.
 */
class SamplingAcrossJvmsTest {
  static final Duration WAIT = Duration.ofSeconds(90);
  static final String KEY_REGULAR = "key-sampling-regular-0123456789";
  static final String KEY_VIP = "key-sampling-vip-0123456789abc";
  /** Only admin keys may declare a tier in baggage (a client's own customer.tier is stripped). */
  static final String KEY_ADMIN = "key-sampling-admin-0123456789";
  static final String VIP_CUSTOMER = "custVip";
  static final JsonObject SAMPLING = new JsonObject().put("customer_tiers", new JsonObject().put(VIP_CUSTOMER, "vip"));
  static final SamplingPolicy POLICY = SamplingPolicy.from(SAMPLING);
  static final String SERVICE = "sim-sampling";
  /** Jobs submitted per tick of the submit timer, and the tick: about 60 jobs/s, well under the worker's pace. */
  static final int PER_TICK = 3;
  static final long TICK_MS = 50;
  static final int WORKER_CONCURRENCY = 100;
  /** Width of the acceptance band of a sampled fraction, in binomial standard deviations. */
  static final double SIGMAS = 4.5;
  /** Jobs a sampled band needs for a kept-fraction check within SIGMAS to tell 10 % from 50 % or 0/100 %. */
  static final int MIN_BAND_JOBS = 300;

  /** What the test submits. */
  enum Kind {
    FAST(800), MEDIUM(100), SLOW(10), FAILING(50), VIP_BY_KEY(20), VIP_BY_BAGGAGE(20);

    final int count;

    Kind(int count) {
      this.count = count;
    }

    JsonObject payload() {
      return switch (this) {
        case FAST, VIP_BY_KEY, VIP_BY_BAGGAGE -> new JsonObject().put("steps", 1).put("step_ms", 20);
        // 2.4 s of work: inside 1-5 s with room for queue wait and a loaded machine
        case MEDIUM -> new JsonObject().put("steps", 4).put("step_ms", 600);
        // 6 s of work: past the 5 s line however fast the machine
        case SLOW -> new JsonObject().put("steps", 3).put("step_ms", 2_000);
        case FAILING -> new JsonObject().put("steps", 1).put("step_ms", 10).put("fail", "permanent");
      };
    }
  }

  /** The policy's classes, in the order {@link SamplingPolicy#keep} tests them. */
  enum Band { ERROR, VIP, SLOW, MEDIUM, FAST }

  record Submitted(Kind kind, String jobId, String traceId) {
    /** The id in Redis: a client key's answer names the job, an admin's is the stored id (docs/api.md "Job ids"). */
    String storedId() {
      return switch (kind) {
        case VIP_BY_KEY -> VIP_CUSTOMER + "~" + jobId;
        case VIP_BY_BAGGAGE -> jobId;
        default -> "custRegular~" + jobId;
      };
    }
  }

  static TestRedis redis;
  static Vertx vertx;
  static OtlpReceiver sink;
  static Telemetry telemetry;
  static StoreConfig storeCfg;
  static JobStore store;
  static GatewayVerticle gateway;
  static WebClient http;
  static Process worker;
  static File workerLog;

  @BeforeAll
  static void start() throws Exception {
    redis = TestRedis.start();
    vertx = Vertx.vertx();
    sink = new OtlpReceiver();
    int sinkPort = get(sink.start(vertx));
    telemetry = Telemetry.create(TelemetryConfig.DEFAULTS.withSampling(POLICY).withOverrides(Map.of(
        "otel.traces.exporter", "otlp", "otel.exporter.otlp.protocol", "http/protobuf",
        "otel.exporter.otlp.endpoint", "http://127.0.0.1:" + sinkPort, "otel.bsp.schedule.delay", "200")),
        List.of());
    storeCfg = StoreConfig.defaults(redis.url()).withNamespace("s" + UUID.randomUUID().toString().substring(0, 8));
    get(vertx.deployVerticle(new QueueVerticle(QueueConfig.defaults(storeCfg), telemetry)));
    store = get(JobStore.connect(vertx, storeCfg));
    gateway = new GatewayVerticle(GatewayConfig.from(new JsonObject().put("port", 0), Map.of(GatewayConfig.ENV_API_KEYS,
        KEY_REGULAR + ":custRegular:client," + KEY_VIP + ":" + VIP_CUSTOMER + ":client," + KEY_ADMIN
            + ":*:admin")), telemetry, storeCfg);
    get(vertx.deployVerticle(gateway));
    http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1"));
    worker = startWorker(sinkPort);
  }

  @AfterAll
  static void stop() throws Exception {
    if (worker != null && worker.isAlive()) {
      worker.destroy();
      if (!worker.waitFor(30, TimeUnit.SECONDS)) {
        worker.destroyForcibly();
      }
    }
    if (vertx != null) {
      get(vertx.close());
    }
    if (telemetry != null) {
      telemetry.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void keptTracesAreWholeInBothJvmsDroppedOnesLeaveNothingAndClassesKeepTheirShare() throws Exception {
    List<Submitted> jobs = get(submitAll(plan()), 120);
    assertThat(jobs).hasSize(1_000);

    await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
      ServiceStats s = get(store.queries().stats()).stream().filter(x -> SERVICE.equals(x.service())).findFirst().orElse(null);
      return s != null && s.completed() + s.failed() == jobs.size();
    });
    // the gateway has seen every terminal event and decided every trace it buffered
    await().atMost(WAIT).until(() -> telemetry.sampler().bufferedTraces() == 0);
    // SIGTERM: the worker drains, and closing its telemetry exports all it kept before the JVM exits
    worker.destroy();
    assertThat(worker.waitFor(60, TimeUnit.SECONDS)).as("worker JVM exits").isTrue();
    assertThat(telemetry.flush().join(30, TimeUnit.SECONDS).isSuccess()).isTrue();
    assertThat(telemetry.sampler().counters()).containsEntry("overflow_traces", 0L)
        .containsEntry("timed_out_traces", 0L);

    List<Job> stored = get(Future.all(jobs.stream().map(j -> store.get(j.storedId())).toList()))
        .<java.util.Optional<Job>>list().stream().map(java.util.Optional::orElseThrow).toList();

    Map<Band, int[]> perBand = new EnumMap<>(Band.class); // [jobs, kept at the collector]
    Map<Band, long[]> durations = new EnumMap<>(Band.class); // [min, max] creation -> end, ms
    Map<Kind, Map<Band, Integer>> landed = new EnumMap<>(Kind.class);
    List<String> wrong = new ArrayList<>();
    for (int i = 0; i < jobs.size(); i++) {
      Submitted s = jobs.get(i);
      Job job = stored.get(i);
      assertThat(job.status()).as(s.kind() + " job " + s.jobId())
          .isEqualTo(s.kind() == Kind.FAILING ? JobStatus.FAILED : JobStatus.COMPLETED);
      assertThat(job.trace().traceId()).isEqualTo(s.traceId());
      long finished = job.status() == JobStatus.COMPLETED ? job.completedAt() : job.failedAt();
      SamplingPolicy.Outcome outcome = SamplingPolicy.jobOutcome(job.status() != JobStatus.COMPLETED, job.attempt(),
          job.createdAt(), finished, job.customerId(), job.trace().baggage());
      boolean expected = POLICY.keep(s.traceId(), outcome);
      Band band = band(outcome);
      landed.computeIfAbsent(s.kind(), k -> new EnumMap<>(Band.class)).merge(band, 1, Integer::sum);

      List<ReceivedSpan> trace = sink.trace(s.traceId());
      boolean kept = !trace.isEmpty();
      int[] counts = perBand.computeIfAbsent(band, b -> new int[2]);
      long[] range = durations.computeIfAbsent(band, b -> new long[] {Long.MAX_VALUE, 0});
      range[0] = Math.min(range[0], outcome.durationMs());
      range[1] = Math.max(range[1], outcome.durationMs());
      counts[0]++;
      counts[1] += kept ? 1 : 0;
      if (expected) {
        Set<String> missing = missing(trace, s.kind() == Kind.FAILING);
        if (!missing.isEmpty()) {
          wrong.add(s.kind() + " " + s.jobId() + " (" + band + ", " + outcome.durationMs() + " ms) kept but lacks "
              + missing);
        }
      } else if (kept) {
        wrong.add(s.kind() + " " + s.jobId() + " (" + band + ", " + outcome.durationMs() + " ms) dropped but left "
            + trace.stream().map(ReceivedSpan::name).toList());
      }
    }
    String summary = "bands [jobs, kept] " + perBand.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue()[0] + "/" + e.getValue()[1]).collect(Collectors.joining(" "))
        + "; landed " + landed + "; durations ms " + durations.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue()[0] + ".." + e.getValue()[1]).collect(Collectors.joining(" "));
    System.out.println("SamplingAcrossJvmsTest: " + summary + "; spans received " + sink.received());
    assertThat(wrong).as(summary).isEmpty();

    // every job ended up in the class it was built for; fast and medium are classed by the duration each job
    // really had (on a loaded machine fast jobs drift into the medium band), so what matters is that both bands
    // hold enough jobs for the fraction checks below to mean something, not how fast this machine ran them
    assertThat(landed.get(Kind.FAILING)).as(summary).containsOnlyKeys(Band.ERROR);
    assertThat(landed.get(Kind.VIP_BY_KEY)).as(summary).containsOnlyKeys(Band.VIP);
    assertThat(landed.get(Kind.VIP_BY_BAGGAGE)).as(summary).containsOnlyKeys(Band.VIP);
    assertThat(landed.get(Kind.SLOW)).as(summary).containsOnlyKeys(Band.SLOW);
    assertThat(perBand.get(Band.FAST)[0]).as(summary).isGreaterThanOrEqualTo(MIN_BAND_JOBS);
    assertThat(perBand.get(Band.MEDIUM)[0]).as(summary).isGreaterThanOrEqualTo(90);

    for (Band b : List.of(Band.ERROR, Band.VIP, Band.SLOW)) {
      assertThat(perBand.get(b)[1]).as(b + " kept: " + summary).isEqualTo(perBand.get(b)[0]);
    }
    assertFraction(Band.MEDIUM, perBand.get(Band.MEDIUM), POLICY.mediumRatio(), summary);
    assertFraction(Band.FAST, perBand.get(Band.FAST), POLICY.fastRatio(), summary);
  }

  private static void assertFraction(Band band, int[] counts, double p, String summary) {
    int n = counts[0];
    double sigma = Math.sqrt(n * p * (1 - p));
    assertThat((double) counts[1]).as(band + " kept of " + n + " (expected " + n * p + " ± " + SIGMAS + "σ): " + summary)
        .isBetween(n * p - SIGMAS * sigma, n * p + SIGMAS * sigma);
  }

  private static Band band(SamplingPolicy.Outcome o) {
    if (o.error()) {
      return Band.ERROR;
    }
    if (POLICY.isVip(o)) {
      return Band.VIP;
    }
    if (o.durationMs() > POLICY.slowMs()) {
      return Band.SLOW;
    }
    return o.durationMs() >= POLICY.mediumMs() ? Band.MEDIUM : Band.FAST;
  }

  /** The spans a kept trace must hold: the API JVM's and the worker JVM's, under their seed service names. */
  private static Set<String> missing(List<ReceivedSpan> trace, boolean failing) {
    Set<String> have = trace.stream().map(r -> r.name() + "@" + r.service()).collect(Collectors.toSet());
    List<String> need = new ArrayList<>(List.of(SpanName.HTTP_REQUEST + "@" + ServiceName.API,
        SpanName.REDIS_SUBMIT + "@" + ServiceName.API, SpanName.REDIS_CLAIM + "@" + ServiceName.WORKER,
        SpanName.JOB_PROCESSING + "@" + ServiceName.worker("simulation")));
    if (failing) {
      need.add("simulation.error.validation_error@" + ServiceName.component("simulation"));
    }
    return need.stream().filter(n -> !have.contains(n)).collect(Collectors.toSet());
  }

  /** Slow jobs first (they take longest), then everything else in a fixed shuffled order. */
  private static List<Kind> plan() {
    List<Kind> rest = new ArrayList<>();
    for (Kind k : Kind.values()) {
      if (k != Kind.SLOW) {
        rest.addAll(Collections.nCopies(k.count, k));
      }
    }
    Collections.shuffle(rest, new Random(20261125));
    List<Kind> plan = new ArrayList<>(Collections.nCopies(Kind.SLOW.count, Kind.SLOW));
    plan.addAll(rest);
    return plan;
  }

  /** Submits the plan over HTTP at a steady pace, so queue wait stays far below the 1 s line. */
  private static Future<List<Submitted>> submitAll(List<Kind> plan) {
    Promise<List<Submitted>> done = Promise.promise();
    List<Future<Submitted>> all = new ArrayList<>();
    int[] next = {0};
    vertx.setPeriodic(1, TICK_MS, id -> {
      for (int i = 0; i < PER_TICK && next[0] < plan.size(); i++) {
        all.add(submit(plan.get(next[0]++)));
      }
      if (next[0] >= plan.size()) {
        vertx.cancelTimer(id);
        Future.all(all).onComplete(ar -> {
          if (ar.succeeded()) {
            done.complete(all.stream().map(Future::result).toList());
          } else {
            done.fail(ar.cause());
          }
        });
      }
    });
    return done.future();
  }

  private static Future<Submitted> submit(Kind kind) {
    HttpRequest<?> req = http.post(gateway.actualPort(), "127.0.0.1", "/api/jobs")
        .bearerTokenAuthentication(kind == Kind.VIP_BY_KEY ? KEY_VIP
            : kind == Kind.VIP_BY_BAGGAGE ? KEY_ADMIN : KEY_REGULAR);
    JsonObject body = new JsonObject().put("service_required", SERVICE).put("max_retries", 0)
        .put("payload", kind.payload());
    if (kind == Kind.VIP_BY_BAGGAGE) {
      // an admin (e.g. a backend acting for a customer) declares the tier in baggage
      req.putHeader("baggage", SamplingPolicy.TIER_BAGGAGE_KEY + "=vip");
      body.put("customer_id", "custRegular");
    }
    return req.sendJsonObject(body).compose(res -> {
      if (res.statusCode() != 201) {
        return Future.failedFuture("submit " + kind + ": " + res.statusCode() + " " + res.bodyAsString());
      }
      JsonObject j = res.bodyAsJsonObject();
      return Future.succeededFuture(new Submitted(kind, j.getString("job_id"), j.getString("trace_id")));
    });
  }

  private static Process startWorker(int sinkPort) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx384m", "-Dvertx.disableDnsResolver=true",
        "-cp", System.getProperty("java.class.path"), WorkerMain.class.getName());
    Map<String, String> env = pb.environment();
    env.put("EMP_REDIS_URL", redis.url());
    env.put("EMP_NAMESPACE", storeCfg.namespace());
    env.put("EMP_WORKER_ID", "worker-sampled");
    env.put("EMP_MACHINE_ID", "machine-sampled");
    env.put("EMP_SERVICES", SERVICE);
    env.put("EMP_LEASE_MS", String.valueOf(WorkerConfig.DEFAULT_LEASE_MS));
    env.put("EMP_RENEW_MS", String.valueOf(WorkerConfig.DEFAULT_RENEW_INTERVAL_MS));
    env.put("EMP_CONCURRENCY", String.valueOf(WORKER_CONCURRENCY));
    env.put("EMP_SAMPLING", SAMPLING.encode());
    env.put("OTEL_TRACES_EXPORTER", "otlp");
    env.put("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
    env.put("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + sinkPort);
    env.put("OTEL_BSP_SCHEDULE_DELAY", "200");
    env.remove("OTEL_SERVICE_NAME");
    env.remove("OTEL_RESOURCE_ATTRIBUTES");
    workerLog = Files.createDirectories(Path.of("target", "sampling-logs")).resolve(storeCfg.namespace() + ".log")
        .toFile();
    Process p = pb.redirectErrorStream(true).redirectOutput(workerLog).start();
    await().atMost(WAIT).until(() -> !p.isAlive() || Files.readString(workerLog.toPath())
        .contains(WorkerMain.READY));
    assertThat(p.isAlive()).as("worker JVM started; log " + workerLog).isTrue();
    return p;
  }
}
