package io.emp.jobqueue.worker.it;

import io.emp.jobqueue.core.telemetry.Attr;
import io.emp.jobqueue.core.telemetry.ServiceName;
import io.emp.jobqueue.core.telemetry.SpanName;
import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.model.JobEvent;
import io.emp.jobqueue.core.model.JobLimits;
import io.emp.jobqueue.core.model.JobSpec;
import io.emp.jobqueue.core.model.JobStatus;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.core.telemetry.TelemetryConfig;
import io.emp.jobqueue.core.telemetry.TraceContexts;
import io.emp.jobqueue.queue.QueueClient;
import io.emp.jobqueue.queue.QueueConfig;
import io.emp.jobqueue.queue.QueueVerticle;
import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.queue.store.RetryPolicy;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.emp.jobqueue.testing.OtlpReceiver.ReceivedSpan;
import io.emp.jobqueue.testing.OtlpReceiver;
import io.emp.jobqueue.testing.TestRedis;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The queue in this JVM, workers in child JVMs, one real redis-server, spans from both processes
 * gathered by an OTLP/HTTP receiver in this test: one job makes one trace across the processes,
 * and a worker killed with SIGKILL mid-job loses the job only until its lease runs out.
 */
class CrossProcessTraceTest {
  static final Duration WAIT = Duration.ofSeconds(60);
  static final String CLIENT_SERVICE = "emp-e2e-client";
  static TestRedis redis;
  static Vertx vertx;
  static OtlpReceiver receiver;
  static int receiverPort;
  static Telemetry telemetry;

  final List<Process> workers = new ArrayList<>();
  String namespace;
  String deployment;
  JobStore store;
  QueueClient client;

  @BeforeAll
  static void startAll() {
    redis = TestRedis.start();
    vertx = Vertx.vertx();
    receiver = new OtlpReceiver();
    receiverPort = get(receiver.start(vertx));
    telemetry = Telemetry.create(TelemetryConfig.DEFAULTS.withOverrides(Map.of(
        "otel.traces.exporter", "otlp", "otel.exporter.otlp.protocol", "http/protobuf",
        "otel.exporter.otlp.endpoint", "http://127.0.0.1:" + receiverPort, "otel.bsp.schedule.delay", "100")),
        List.of());
  }

  @AfterAll
  static void stopAll() throws Exception {
    telemetry.close();
    get(receiver.stop());
    get(vertx.close());
    redis.close();
  }

  @BeforeEach
  void startQueue() {
    namespace = "e2e" + UUID.randomUUID().toString().substring(0, 6);
    StoreConfig storeCfg = StoreConfig.defaults(redis.url()).withNamespace(namespace)
        .withRetry(new RetryPolicy(20, 100, 0.0, 0));
    deployment = get(vertx.deployVerticle(new QueueVerticle(QueueConfig.defaults(storeCfg), telemetry)));
    store = get(JobStore.connect(vertx, storeCfg));
    client = new QueueClient(vertx, 20_000);
  }

  @AfterEach
  void stopQueue() throws Exception {
    for (Process p : workers) {
      p.destroy();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    get(store.close());
    get(vertx.undeploy(deployment));
  }

  @Test
  void oneJobIsOneTraceAcrossProcesses() {
    startWorker("worker-a", "machine-a");
    Span clientSpan = telemetry.tracer(CLIENT_SERVICE).spanBuilder("client.submit").setSpanKind(SpanKind.CLIENT)
        .startSpan();
    TraceContext clientCtx = TraceContexts.inject(Context.root().with(clientSpan));
    String jobId = get(client.submit(JobSpec.fromJson(new JsonObject().put("service_required", "sim")
        .put("payload", new JsonObject().put("steps", 3).put("step_ms", 50)), JobLimits.DEFAULTS), clientCtx)).jobId();
    clientSpan.end();
    String traceId = clientCtx.traceId();

    await().atMost(WAIT).until(() -> job(jobId).status() == JobStatus.COMPLETED);
    Set<String> expected = Set.of("client.submit", SpanName.REDIS_SUBMIT, SpanName.REDIS_CLAIM,
        SpanName.JOB_PROCESSING, SpanName.JOB_PREPROCESSING, SpanName.EXTERNAL_CALL, SpanName.JOB_POSTPROCESSING);
    await().atMost(WAIT).until(() -> receiver.trace(traceId).size() >= expected.size());

    List<ReceivedSpan> trace = receiver.trace(traceId);
    assertThat(trace).extracting(ReceivedSpan::name).containsExactlyInAnyOrderElementsOf(expected);
    ReceivedSpan root = one(trace, "client.submit");
    ReceivedSpan submit = one(trace, SpanName.REDIS_SUBMIT);
    ReceivedSpan claim = one(trace, SpanName.REDIS_CLAIM);
    ReceivedSpan processing = one(trace, SpanName.JOB_PROCESSING);
    assertThat(root.parentSpanId()).isEmpty();
    assertThat(submit.parentSpanId()).isEqualTo(root.spanId());
    assertThat(claim.parentSpanId()).isEqualTo(submit.spanId());
    assertThat(processing.parentSpanId()).isEqualTo(claim.spanId());
    for (String child : List.of(SpanName.JOB_PREPROCESSING, SpanName.EXTERNAL_CALL, SpanName.JOB_POSTPROCESSING)) {
      assertThat(one(trace, child).parentSpanId()).as(child).isEqualTo(processing.spanId());
      assertThat(one(trace, child).service()).isEqualTo("emp-simulation-worker");
    }
    assertThat(root.service()).isEqualTo(CLIENT_SERVICE);
    assertThat(submit.service()).isEqualTo(ServiceName.API);
    assertThat(claim.service()).isEqualTo(ServiceName.WORKER);
    assertThat(processing.service()).isEqualTo("emp-simulation-worker");

    assertThat(claim.kind()).isEqualTo(io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CONSUMER);
    assertThat(claim.attr(Attr.WORKER_ID)).isEqualTo("worker-a");
    assertThat(claim.attr(Attr.WORKER_MACHINE_ID)).isEqualTo("machine-a");
    assertThat(claim.attr(Attr.JOB_ID)).isEqualTo(jobId);
    assertThat(claim.attr(Attr.MATCHING_FUNCTION)).isEqualTo("claim.lua");
    assertThat((Long) claim.attr(Attr.MATCHING_JOBS_EVALUATED)).isGreaterThanOrEqualTo(1L);
    assertThat((Long) claim.attr(Attr.MATCHING_SCAN_LIMIT)).isPositive();
    assertThat(claim.attr(Attr.QUEUE_WAIT_TIME_MS)).isInstanceOf(Long.class);
    assertThat(claim.attr(Attr.TRACE_CONTEXT_RETRIEVED)).isEqualTo(true);
    assertThat(claim.attr(Attr.TRACE_PARENT_ID)).isEqualTo(traceId);
    assertThat(claim.attr(Attr.MESSAGING_DESTINATION_NAME)).isEqualTo("sim");
    assertThat((String) claim.attr(Attr.WORKER_CAPABILITIES)).contains("worker-a");

    assertThat(processing.attr(Attr.JOB_ID)).isEqualTo(jobId);
    assertThat(processing.attr(Attr.PROCESSING_STATUS)).isEqualTo("completed");
    assertThat((Long) processing.attr(Attr.PROCESSING_ACTUAL_DURATION_MS)).isGreaterThanOrEqualTo(150L);
    assertThat((Long) processing.attr(Attr.MACHINE_CPU_CORES)).isPositive();
    assertThat((Double) processing.attr(Attr.MACHINE_RAM_GB)).isPositive();
    assertThat(processing.attr(Attr.WORKER_CONNECTOR_TYPE)).isEqualTo("simulation");
    assertThat(processing.attr(Attr.EXTERNAL_SERVICE_NAME)).isEqualTo("simulation");
    assertThat(processing.attr(Attr.JOB_RETRY_COUNT)).isEqualTo(0L);
  }

  @Test
  void killedWorkersJobIsTakenOverAfterItsLeaseAndCompletesOnce() throws Exception {
    Process a = startWorker("worker-a", "machine-a");
    Span clientSpan = telemetry.tracer(CLIENT_SERVICE).spanBuilder("client.submit").startSpan();
    TraceContext clientCtx = TraceContexts.inject(Context.root().with(clientSpan));
    String jobId = get(client.submit(JobSpec.fromJson(new JsonObject().put("service_required", "sim")
        .put("payload", new JsonObject().put("steps", 20).put("step_ms", 150)), JobLimits.DEFAULTS), clientCtx)).jobId();
    clientSpan.end();
    String traceId = clientCtx.traceId();

    // mid-job: worker A holds it, has reported progress, and its claim span has been exported
    await().atMost(WAIT).until(() -> {
      Job j = job(jobId);
      return "worker-a".equals(j.workerId()) && j.progress() != null && j.progress() > 0;
    });
    await().atMost(WAIT).until(() -> spans(traceId, SpanName.REDIS_CLAIM).size() == 1);
    long killedAt = System.currentTimeMillis();
    a.destroyForcibly();
    assertThat(a.waitFor(30, TimeUnit.SECONDS)).isTrue();

    startWorker("worker-b", "machine-b");
    await().atMost(WAIT).until(() -> job(jobId).status() == JobStatus.COMPLETED);
    Job done = job(jobId);
    assertThat(done.workerId()).isEqualTo("worker-b");
    assertThat(done.attempt()).isEqualTo(2);
    assertThat(done.errors().getJsonObject(0).getString("type")).isEqualTo("lease_expired");
    List<JobEvent> events = get(store.queries().events(jobId, 0, 1000));
    assertThat(events.stream().filter(e -> JobEvent.COMPLETED.equals(e.type()))).hasSize(1);
    // recorded for docs/reliability.md (Redis and this JVM share the host clock)
    long reclaimedAt = events.stream().filter(e -> JobEvent.ASSIGNED.equals(e.type()))
        .mapToLong(JobEvent::timestamp).max().orElseThrow();
    System.out.println("[reliability] worker kill -9 mid-job (lease 3000 ms): kill -> re-claimed by another worker "
        + (reclaimedAt - killedAt) + " ms, kill -> completed " + (done.completedAt() - killedAt)
        + " ms; 1 job, completions 1");

    // both attempts in the one trace, each claim a child of redis.job.submit
    await().atMost(WAIT).until(() -> spans(traceId, SpanName.JOB_PROCESSING).size() == 1
        && spans(traceId, SpanName.REDIS_CLAIM).size() == 2);
    ReceivedSpan submit = spans(traceId, SpanName.REDIS_SUBMIT).get(0);
    List<ReceivedSpan> claims = spans(traceId, SpanName.REDIS_CLAIM).stream()
        .sorted(Comparator.comparingLong(s -> (Long) s.attr(Attr.JOB_ATTEMPT))).toList();
    assertThat(claims).extracting(s -> s.attr(Attr.JOB_ATTEMPT)).containsExactly(1L, 2L);
    assertThat(claims).extracting(s -> s.attr(Attr.WORKER_ID)).containsExactly("worker-a", "worker-b");
    assertThat(claims).allSatisfy(c -> assertThat(c.parentSpanId()).isEqualTo(submit.spanId()));
    assertThat(claims.get(1).attr(Attr.JOB_RETRY_COUNT)).isEqualTo(1L);
    ReceivedSpan processing = spans(traceId, SpanName.JOB_PROCESSING).get(0);
    assertThat(processing.parentSpanId()).isEqualTo(claims.get(1).spanId());
    assertThat(processing.attr(Attr.WORKER_ID)).isEqualTo("worker-b");
    assertThat(processing.attr(Attr.JOB_ATTEMPT)).isEqualTo(2L);
  }

  private List<ReceivedSpan> spans(String traceId, String name) {
    return receiver.trace(traceId).stream().filter(s -> s.name().equals(name)).toList();
  }

  private static ReceivedSpan one(List<ReceivedSpan> trace, String name) {
    List<ReceivedSpan> found = trace.stream().filter(s -> s.name().equals(name)).toList();
    assertThat(found).as(name).hasSize(1);
    return found.get(0);
  }

  private Job job(String id) {
    return get(store.get(id)).orElseThrow();
  }

  private Process startWorker(String workerId, String machineId) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1",
        "-Dvertx.disableDnsResolver=true", "-cp", System.getProperty("java.class.path"), WorkerMain.class.getName());
    Map<String, String> env = pb.environment();
    env.put("EMP_REDIS_URL", redis.url());
    env.put("EMP_NAMESPACE", namespace);
    env.put("EMP_WORKER_ID", workerId);
    env.put("EMP_MACHINE_ID", machineId);
    env.put("EMP_SERVICES", "sim");
    env.put("EMP_LEASE_MS", "3000");
    env.put("EMP_RENEW_MS", "600");
    env.put("OTEL_TRACES_EXPORTER", "otlp");
    env.put("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
    env.put("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + receiverPort);
    env.put("OTEL_BSP_SCHEDULE_DELAY", "100");
    env.remove("OTEL_SERVICE_NAME");
    try {
      File log = Files.createDirectories(Path.of("target", "e2e-logs")).resolve(namespace + "-" + workerId + ".log")
          .toFile();
      Process p = pb.redirectErrorStream(true).redirectOutput(log).start();
      workers.add(p);
      return p;
    } catch (Exception e) {
      throw new IllegalStateException("cannot start worker JVM", e);
    }
  }

  static <T> T get(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new RuntimeException(e.getCause());
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }
}
