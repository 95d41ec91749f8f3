package io.emp.jobqueue.queue;

import io.emp.jobqueue.core.telemetry.Attr;
import io.emp.jobqueue.core.telemetry.EventName;
import io.emp.jobqueue.core.telemetry.ServiceName;
import io.emp.jobqueue.core.telemetry.SpanName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.model.JobLimits;
import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.core.model.JobSpec;
import io.emp.jobqueue.core.model.JobStatus;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.core.model.ValidationException;
import io.emp.jobqueue.core.model.WorkerCapabilities;
import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.core.telemetry.TelemetryConfig;
import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.emp.jobqueue.queue.store.SubmitResult;
import io.emp.jobqueue.testing.TestRedis;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class QueueVerticleTest {
  static TestRedis redis;
  static Vertx vertx;
  static InMemorySpanExporter spans = InMemorySpanExporter.create();
  static Telemetry telemetry;
  static QueueClient client;
  static JobStore store;

  @BeforeAll
  static void deploy() {
    redis = TestRedis.start();
    vertx = Vertx.vertx();
    telemetry = Telemetry.create(TelemetryConfig.DEFAULTS, List.of(SimpleSpanProcessor.create(spans)));
    StoreConfig sc = StoreConfig.defaults(redis.url()).withNamespace("qv" + UUID.randomUUID().toString().substring(0, 6));
    get(vertx.deployVerticle(new QueueVerticle(new QueueConfig(sc, 50, 60_000, 100), telemetry)));
    client = new QueueClient(vertx);
    store = get(JobStore.connect(vertx, sc));
  }

  @AfterAll
  static void close() {
    get(vertx.close());
    telemetry.close();
    redis.close();
  }

  static <T> T get(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new RuntimeException(e.getCause());
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  @Test
  void submitContinuesTheCallersTraceAndStoresTheSubmitSpanInTheJob() {
    String clientTp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    SubmitResult r = get(client.submit(JobSpec.fromJson(new JsonObject().put("service_required", "sim").put("priority", 60)
        .put("payload", new JsonObject().put("steps", 2)), JobLimits.DEFAULTS), new TraceContext(clientTp, null, "customer.tier=vip")));
    assertThat(r.created()).isTrue();

    SpanData submit = spans.getFinishedSpanItems().stream()
        .filter(s -> s.getName().equals(SpanName.REDIS_SUBMIT)).reduce((a, b) -> b).orElseThrow();
    assertThat(submit.getTraceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
    assertThat(submit.getParentSpanId()).isEqualTo("b7ad6b7169203331");
    assertThat(submit.getResource().getAttribute(io.opentelemetry.api.common.AttributeKey.stringKey("service.name")))
        .isEqualTo(ServiceName.API);
    assertThat(submit.getAttributes().asMap().keySet()).extracting(k -> k.getKey()).contains(
        Attr.JOB_ID, Attr.QUEUE_PRIORITY_SCORE, Attr.QUEUE_ESTIMATED_POSITION,
        Attr.JOB_PAYLOAD_SIZE, Attr.REDIS_OPERATION, Attr.TRACE_CONTEXT_STORED);
    assertThat(submit.getEvents()).extracting(e -> e.getName())
        .contains(EventName.REDIS_JOB_STORED, EventName.REDIS_QUEUE_UPDATED);

    Job job = get(store.get(r.jobId())).orElseThrow();
    assertThat(job.trace().traceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
    assertThat(job.trace().spanId()).isEqualTo(submit.getSpanId());
    assertThat(job.trace().baggage()).contains("customer.tier=vip");
  }

  @Test
  void aBatchCrossesTheBusAsOneMessageAndEachJobGetsItsOwnTraceWithTheCallersBaggage() {
    String clientTp = "00-1af7651916cd43dd8448eb211c80319c-c7ad6b7169203331-01";
    JobSpec keyed = JobSpec.fromJson(new JsonObject().put("service_required", "bat").put("idempotency_key", "c/k1")
        .put("correlation_id", "txn-b"), JobLimits.DEFAULTS);
    List<BatchItem> items = get(client.submitAll(new io.emp.jobqueue.core.model.JobBatch(List.of(keyed,
        JobSpec.fromJson(new JsonObject().put("service_required", "bat"), JobLimits.DEFAULTS), keyed)),
        new TraceContext(clientTp, null, "customer.tier=vip")));
    assertThat(items).hasSize(3);
    assertThat(items).extracting(i -> i.result().created()).containsExactly(true, true, false);
    assertThat(items.get(2).result().jobId()).isEqualTo(items.get(0).result().jobId());
    assertThat(items.get(2).traceId()).as("the repeat names the first job's trace").isEqualTo(items.get(0).traceId());
    assertThat(items.get(0).traceId()).isNotEqualTo(items.get(1).traceId()).isNotEqualTo("1af7651916cd43dd8448eb211c80319c");
    for (int i = 0; i < 2; i++) {
      Job job = get(store.get(items.get(i).result().jobId())).orElseThrow();
      assertThat(job.trace().traceId()).isEqualTo(items.get(i).traceId());
      assertThat(job.trace().baggage()).contains("customer.tier=vip");
      String spanId = job.trace().spanId();
      SpanData submit = spans.getFinishedSpanItems().stream().filter(s -> s.getSpanId().equals(spanId))
          .findFirst().orElseThrow();
      assertThat(submit.getName()).isEqualTo(SpanName.REDIS_SUBMIT);
      assertThat(submit.getParentSpanContext().isValid()).isFalse();
      assertThat(submit.getLinks()).singleElement().satisfies(l -> {
        assertThat(l.getSpanContext().getTraceId()).isEqualTo("1af7651916cd43dd8448eb211c80319c");
        assertThat(l.getSpanContext().getSpanId()).isEqualTo("c7ad6b7169203331");
      });
    }
    assertThat(get(store.get(items.get(0).result().jobId())).orElseThrow().trace().baggage()).contains("correlation_id=txn-b");
  }

  @Test
  void correlationKeysTravelWithTheJobOntoEverySpanStartedUnderIt() {
    SubmitResult r = get(client.submit(JobSpec.fromJson(new JsonObject().put("service_required", "corr").put("workflow_id", "wf-7")
        .put("correlation_id", "txn-9").put("request_id", "req-3"), JobLimits.DEFAULTS), null));
    Job job = get(store.get(r.jobId())).orElseThrow();
    assertThat(job.trace().baggage()).contains("workflow.id=wf-7").contains("correlation_id=txn-9")
        .contains("request.id=req-3");
    // a span another node starts under the job's context (a worker's claim) gets the keys by itself
    io.opentelemetry.api.trace.Span s = telemetry.tracer(ServiceName.WORKER).spanBuilder("some.worker.span")
        .setParent(io.emp.jobqueue.core.telemetry.TraceContexts.extract(job.trace())).startSpan();
    s.end();
    SpanData data = spans.getFinishedSpanItems().stream().filter(d -> d.getName().equals("some.worker.span"))
        .findFirst().orElseThrow();
    assertThat(data.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey(Attr.WORKFLOW_ID)))
        .isEqualTo("wf-7");
    assertThat(data.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey(Attr.CORRELATION_ID)))
        .isEqualTo("txn-9");
    assertThat(data.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey(Attr.REQUEST_ID)))
        .isEqualTo("req-3");
  }

  @Test
  void workflowStepsLinkToEarlierStepsAndAreListedFromRedis() {
    List<String> traceIds = new java.util.ArrayList<>();
    List<String> jobIds = new java.util.ArrayList<>();
    for (int step = 1; step <= 3; step++) {
      String tp = "00-" + String.format("%032x", 0xabc0L + step) + "-00f067aa0ba902b7-01";
      SubmitResult r = get(client.submit(JobSpec.fromJson(new JsonObject().put("service_required", "wf").put("workflow_id", "wf-links")
          .put("current_step", step).put("total_steps", 3), JobLimits.DEFAULTS), TraceContext.of(tp)));
      jobIds.add(r.jobId());
      traceIds.add(TraceContext.of(tp).traceId());
    }
    SpanData third = spans.getFinishedSpanItems().stream()
        .filter(d -> d.getName().equals(SpanName.REDIS_SUBMIT) && d.getTraceId().equals(traceIds.get(2)))
        .findFirst().orElseThrow();
    assertThat(third.getLinks()).extracting(l -> l.getSpanContext().getTraceId())
        .containsExactlyInAnyOrder(traceIds.get(0), traceIds.get(1));

    JsonObject wf = get(client.workflow("wf-links", null));
    assertThat(wf.getJsonArray("steps").stream().map(o -> ((JsonObject) o).getString("trace_id")))
        .containsExactlyInAnyOrderElementsOf(traceIds);
    assertThat(wf.getJsonArray("steps").stream().map(o -> ((JsonObject) o).getString("job_id")))
        .containsExactlyInAnyOrderElementsOf(jobIds);
  }

  @Test
  void typedErrorsCrossTheEventBus() {
    assertThatThrownBy(() -> get(client.submit(JobSpec.fromJson(new JsonObject().put("priority", -1), JobLimits.DEFAULTS), null)))
        .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.problems())
            .extracting(p -> p.field()).containsExactlyInAnyOrder("service_required", "priority"));
    assertThatThrownBy(() -> get(client.get("missing", null)))
        .isInstanceOfSatisfying(JobQueueException.class,
            e -> assertThat(e.code()).isEqualTo(JobQueueException.Code.NOT_FOUND));
  }

  @Test
  void listStatsEventsAndCancelOverTheBus() {
    SubmitResult r = get(client.submit(JobSpec.fromJson(new JsonObject().put("service_required", "listing"), JobLimits.DEFAULTS), null));
    assertThat(get(client.list("pending", "listing", 10, null, null)).getJsonArray("jobs")).hasSize(1);
    assertThat(get(client.stats(null)).getJsonArray("services").stream()
        .map(o -> ((JsonObject) o).getString("service"))).contains("listing");
    assertThat(get(client.events(r.jobId(), 0, 10, null)).getJsonArray("events")).hasSize(1);
    assertThat(get(client.cancel(r.jobId(), "changed my mind", null))).isEqualTo("cancelled");
    assertThat(get(client.get(r.jobId(), null)).getString("status")).isEqualTo("cancelled");
  }

  @Test
  void housekeepingReapsExpiredLeasesAndPromotesRetries() {
    SubmitResult r = get(client.submit(JobSpec.fromJson(new JsonObject().put("service_required", "reaped"), JobLimits.DEFAULTS), null));
    get(store.claim(WorkerCapabilities.of("ghost", "reaped"), 10, 100));
    // nobody renews: the verticle's timers must bring the job back to pending by themselves
    await().atMost(Duration.ofSeconds(20)).until(() ->
        get(store.get(r.jobId())).orElseThrow().status() == JobStatus.PENDING);
    assertThat(get(store.get(r.jobId())).orElseThrow().lastError().getString("type")).isEqualTo("lease_expired");
    // the reaping node counts it as an error of the queue (a lost worker is invisible to the workers' metrics)
    assertThat(telemetry.metrics().registry().find("emp_errors").tags("component", "queue", "error_type",
        "lease_expired").counter().count()).isGreaterThanOrEqualTo(1);
  }
}
