package io.emp.jobqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.model.JobStatus;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.core.model.WorkerCapabilities;
import io.emp.jobqueue.core.telemetry.Attr;
import io.emp.jobqueue.core.telemetry.SpanName;
import io.emp.jobqueue.queue.store.ClaimedJob;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** POST /api/jobs/batch over real HTTP, the queue verticle and Redis: an answer per job, a trace per job. */
class BatchSubmitApiTest extends GatewayTestSupport {
  static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String CLIENT_SPAN = "00f067aa0ba902b7";
  /** Smaller than a 1,000-job batch: the batch route has its own limit. */
  static final long SINGLE_BODY_LIMIT = 64 * 1024;
  static final long BATCH_BODY_LIMIT = 1024 * 1024;

  @BeforeAll
  static void start() {
    startStack(new JsonObject().put("body_limit_bytes", SINGLE_BODY_LIMIT)
        .put("batch_body_limit_bytes", BATCH_BODY_LIMIT));
  }

  private static HttpResponse<Buffer> batch(String key, JsonArray jobs) {
    return batch(key, new JsonObject().put("jobs", jobs));
  }

  private static HttpResponse<Buffer> batch(String key, JsonObject body) {
    var req = http.post(port(), "127.0.0.1", "/api/jobs/batch").putHeader("traceparent", "00-" + TRACE + "-"
        + CLIENT_SPAN + "-01");
    if (key != null) {
      req.bearerTokenAuthentication(key);
    }
    return get(req.sendJsonObject(body));
  }

  private static JsonObject job(String svc, int n) {
    return new JsonObject().put("service_required", svc).put("priority", 10).put("payload", new JsonObject().put("n", n));
  }

  private static JsonObject slot(HttpResponse<Buffer> res, int i) {
    return res.bodyAsJsonObject().getJsonArray("results").getJsonObject(i);
  }

  private static String code(JsonObject slot) {
    return slot.getJsonObject("error").getString("code");
  }

  private static long submittedInActivity() {
    JsonObject activity = get(http.get(port(), "127.0.0.1", "/api/activity").bearerTokenAuthentication(KEY_ADMIN)
        .send()).bodyAsJsonObject();
    return activity.getJsonArray("buckets").stream().mapToLong(o -> ((JsonObject) o).getLong("submitted")).sum();
  }

  private static SpanData awaitSpan(Predicate<SpanData> p) {
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> spans.getFinishedSpanItems().stream().anyMatch(p));
    return spans.getFinishedSpanItems().stream().filter(p).findFirst().orElseThrow();
  }

  @Test
  void eachJobIsAnsweredInItsSlotAndABadOneRefusesOnlyItself() {
    String svc = newService();
    JsonArray jobs = new JsonArray().add(job(svc, 0))
        .add(new JsonObject().put("priority", 10))                           // no service: invalid
        .add("not a job")
        .add(job(svc, 3).put("customer_id", CUST_B))                           // another customer: forbidden
        .add(job(svc, 4).put("id", "order-4"))
        .add(job(svc, 5).put("priority", 1_000_000));                          // out of range
    var res = batch(KEY_A, jobs);
    assertThat(res.statusCode()).isEqualTo(200);
    JsonObject body = res.bodyAsJsonObject();
    assertThat(body.getInteger("created")).isEqualTo(2);
    assertThat(body.getInteger("existing")).isZero();
    assertThat(body.getInteger("rejected")).isEqualTo(4);
    JsonArray results = body.getJsonArray("results");
    assertThat(results).hasSize(6);
    for (int i = 0; i < 6; i++) {
      assertThat(results.getJsonObject(i).getInteger("index")).isEqualTo(i);
    }
    assertThat(code(slot(res, 1))).isEqualTo("validation");
    assertThat(slot(res, 1).getJsonObject("error").getJsonArray("details").getJsonObject(0).getString("field"))
        .isEqualTo("service_required");
    assertThat(code(slot(res, 2))).isEqualTo("validation");
    assertThat(code(slot(res, 3))).isEqualTo("forbidden");
    assertThat(code(slot(res, 5))).isEqualTo("validation");
    JsonObject first = slot(res, 0);
    assertThat(first.getString("status")).isEqualTo("pending");
    assertThat(first.getBoolean("created")).isTrue();
    assertThat(first.getLong("priority_score")).isPositive();
    assertThat(first.getLong("estimated_position")).isZero();
    assertThat(slot(res, 4).getString("job_id")).as("the id the client chose, as it knows it").isEqualTo("order-4");
    assertThat(slot(res, 4).getLong("estimated_position")).isEqualTo(1);
    // stored under the caller's customer, with its request id, like a single submit
    Job stored = get(store.get(stored(CUST_A, first.getString("job_id")))).orElseThrow();
    assertThat(stored.customerId()).isEqualTo(CUST_A);
    assertThat(stored.requestId()).isEqualTo(res.getHeader("X-Request-Id"));
    assertThat(get(store.get(stored(CUST_A, "order-4")))).isPresent();
    assertThat(get(store.queries().stats()).stream().filter(s -> s.service().equals(svc)).findFirst().orElseThrow()
        .pending()).isEqualTo(2);
  }

  @Test
  void everyJobHasItsOwnTraceLinkedToTheRequest() {
    String svc = newService();
    var res = batch(KEY_A, new JsonArray().add(job(svc, 0)).add(job(svc, 1)).add(job(svc, 2)));
    assertThat(res.bodyAsJsonObject().getInteger("created")).isEqualTo(3);
    Set<String> traces = new HashSet<>();
    SpanData request = awaitSpan(s -> s.getName().equals(SpanName.HTTP_REQUEST)
        && res.getHeader("X-Request-Id").equals(s.getAttributes().get(AttributeKey.stringKey(Attr.REQUEST_ID))));
    assertThat(request.getTraceId()).as("the request stays in the caller's trace").isEqualTo(TRACE);
    assertThat(request.getAttributes().get(AttributeKey.longKey(Attr.JOB_BATCH_SIZE))).isEqualTo(3L);
    for (int i = 0; i < 3; i++) {
      JsonObject slot = slot(res, i);
      String jobId = stored(CUST_A, slot.getString("job_id"));
      String traceId = slot.getString("trace_id");
      assertThat(traceId).isNotEqualTo(TRACE);
      traces.add(traceId);
      Job job = get(store.get(jobId)).orElseThrow();
      assertThat(job.trace().traceId()).as("the stored context is the job's own trace").isEqualTo(traceId);
      SpanData submit = awaitSpan(s -> s.getName().equals(SpanName.REDIS_SUBMIT)
          && jobId.equals(s.getAttributes().get(AttributeKey.stringKey(Attr.JOB_ID))));
      assertThat(submit.getTraceId()).isEqualTo(traceId);
      assertThat(submit.getParentSpanContext().isValid()).as("a root span: a new trace per job").isFalse();
      assertThat(submit.getLinks()).extracting(LinkData::getSpanContext)
          .anySatisfy(l -> {
            assertThat(l.getTraceId()).isEqualTo(TRACE);
            assertThat(l.getSpanId()).isEqualTo(request.getSpanId());
          });
      assertThat(job.trace().traceparent()).contains(submit.getSpanId());
      assertThat(submit.getAttributes().get(AttributeKey.stringKey(Attr.JOB_SERVICE_REQUIRED))).isEqualTo(svc);
      assertThat(submit.getAttributes().get(AttributeKey.stringKey(Attr.CUSTOMER_ID))).isEqualTo(CUST_A);
    }
    assertThat(traces).hasSize(3);
  }

  @Test
  void idempotencyKeysAndChosenIdsHoldPerJobAndPerCustomer() {
    String svc = newService();
    JsonObject keyed = job(svc, 1).put("idempotency_key", "order-9");
    var first = batch(KEY_A, new JsonArray().add(keyed.copy()).add(job(svc, 2)).add(keyed.copy()));
    assertThat(first.bodyAsJsonObject().getInteger("created")).isEqualTo(2);
    assertThat(first.bodyAsJsonObject().getInteger("existing")).isEqualTo(1);
    String id = slot(first, 0).getString("job_id");
    assertThat(slot(first, 2).getString("job_id")).isEqualTo(id);
    assertThat(slot(first, 2).getBoolean("created")).isFalse();
    assertThat(slot(first, 2).getString("trace_id")).as("a repeat names the trace of the job that exists")
        .isEqualTo(slot(first, 0).getString("trace_id"));

    var again = batch(KEY_A, new JsonArray().add(keyed.copy()).add(job(svc, 3).put("id", "chosen-1")));
    assertThat(slot(again, 0).getString("job_id")).isEqualTo(id);
    assertThat(slot(again, 0).getBoolean("created")).isFalse();
    // a single submit with the same key as a header finds the batch's job too
    var single = get(http.post(port(), "127.0.0.1", "/api/jobs").bearerTokenAuthentication(KEY_A)
        .putHeader("Idempotency-Key", "order-9").sendJsonObject(job(svc, 1)));
    assertThat(single.statusCode()).isEqualTo(200);
    assertThat(single.bodyAsJsonObject().getString("job_id")).isEqualTo(id);

    // customer B's same key and same chosen id are B's own jobs
    var other = batch(KEY_B, new JsonArray().add(keyed.copy()).add(job(svc, 4).put("id", "chosen-1")));
    assertThat(other.bodyAsJsonObject().getInteger("created")).isEqualTo(2);
    assertThat(slot(other, 1).getString("job_id")).isEqualTo("chosen-1");
    assertThat(get(store.get(stored(CUST_B, "chosen-1"))).orElseThrow().payload().getInteger("n")).isEqualTo(4);
    assertThat(get(store.get(stored(CUST_A, "chosen-1"))).orElseThrow().payload().getInteger("n")).isEqualTo(3);
  }

  @Test
  void adminsSubmitForAnyCustomerAndClientsNeedAKey() {
    String svc = newService();
    assertThat(batch(null, new JsonArray().add(job(svc, 0))).statusCode()).isEqualTo(401);
    assertThat(batch("not-a-key-0123456789", new JsonArray().add(job(svc, 0))).statusCode()).isEqualTo(401);
    var res = batch(KEY_ADMIN, new JsonArray().add(job(svc, 0).put("customer_id", CUST_B)).add(job(svc, 1)));
    assertThat(res.bodyAsJsonObject().getInteger("created")).isEqualTo(2);
    String forB = slot(res, 0).getString("job_id");
    assertThat(forB).as("admins see stored ids").startsWith(CUST_B + "~");
    assertThat(get(store.get(forB)).orElseThrow().customerId()).isEqualTo(CUST_B);
    // B reads its job by the id it knows; A cannot see it
    assertThat(get(http.get(port(), "127.0.0.1", "/api/jobs/" + publicOf(CUST_B, forB)).bearerTokenAuthentication(KEY_B)
        .send()).statusCode()).isEqualTo(200);
    assertThat(get(http.get(port(), "127.0.0.1", "/api/jobs/" + publicOf(CUST_B, forB)).bearerTokenAuthentication(KEY_A)
        .send()).statusCode()).isEqualTo(404);
  }

  @Test
  void aWholeBatchIsRefusedWhenEmptyMalformedOrOverItsLimits() {
    String svc = newService();
    var empty = batch(KEY_A, new JsonArray());
    assertThat(empty.statusCode()).isEqualTo(400);
    assertThat(details(empty.bodyAsJsonObject()).getJsonObject(0).getString("field")).isEqualTo("jobs");
    assertThat(batch(KEY_A, new JsonObject()).statusCode()).isEqualTo(400);
    assertThat(batch(KEY_A, new JsonObject().put("jobs", "x")).statusCode()).isEqualTo(400);
    var stray = batch(KEY_A, new JsonObject().put("jobs", new JsonArray().add(job(svc, 0))).put("job", 1));
    assertThat(stray.statusCode()).isEqualTo(400);
    assertThat(details(stray.bodyAsJsonObject()).getJsonObject(0).getString("code")).isEqualTo("unknown_field");
    var header = get(http.post(port(), "127.0.0.1", "/api/jobs/batch").bearerTokenAuthentication(KEY_A)
        .putHeader("Idempotency-Key", "k").sendJsonObject(new JsonObject().put("jobs", new JsonArray().add(job(svc, 0)))));
    assertThat(header.statusCode()).isEqualTo(400);

    JsonArray tooMany = new JsonArray();
    for (int i = 0; i <= GatewayConfig.DEFAULT_BATCH_MAX_JOBS; i++) {
      tooMany.add(new JsonObject());
    }
    var over = batch(KEY_A, tooMany);
    assertThat(over.statusCode()).isEqualTo(413);
    assertThat(over.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("payload_too_large");

    JsonArray big = new JsonArray().add(job(svc, 0).put("payload", new JsonObject().put("blob",
        "x".repeat((int) BATCH_BODY_LIMIT))));
    var tooBig = batch(KEY_A, big);
    assertThat(tooBig.statusCode()).isEqualTo(413);
    assertThat(tooBig.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("payload_too_large");
    assertThat(get(store.queries().stats()).stream().noneMatch(s -> s.service().equals(svc))).isTrue();
  }

  @Test
  void aFullBatchOfSmallJobsFitsItsOwnBodyLimitAndEveryJobCanBeRunToTheEnd() {
    String svc = newService();
    JsonArray jobs = new JsonArray();
    for (int i = 0; i < GatewayConfig.DEFAULT_BATCH_MAX_JOBS; i++) {
      jobs.add(job(svc, i).put("payload", new JsonObject().put("n", i).put("prompt", "a small job " + i)));
    }
    assertThat(jobs.toBuffer().length()).as("over the single submit's body limit").isGreaterThan((int) SINGLE_BODY_LIMIT);
    long submittedBefore = submittedInActivity();
    var res = batch(KEY_A, jobs);
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.bodyAsJsonObject().getInteger("created")).isEqualTo(GatewayConfig.DEFAULT_BATCH_MAX_JOBS);
    assertThat(new HashSet<>(res.bodyAsJsonObject().getJsonArray("results").stream()
        .map(o -> ((JsonObject) o).getString("trace_id")).toList())).hasSize(GatewayConfig.DEFAULT_BATCH_MAX_JOBS);
    // each job counts as a submit in the metrics, as a single submit does (from its job_submitted event)
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> submittedInActivity() - submittedBefore
        >= GatewayConfig.DEFAULT_BATCH_MAX_JOBS);
    // claimed in the order the batch gave them, and completed
    WorkerCapabilities w = WorkerCapabilities.of("w-" + svc, svc);
    for (int i = 0; i < 3; i++) {
      ClaimedJob c = get(store.claim(w, 50, 60_000)).job().orElseThrow();
      assertThat(c.job().payload().getInteger("n")).isEqualTo(i);
      assertThat(c.job().id()).isEqualTo(stored(CUST_A, slot(res, i).getString("job_id")));
      assertThat(TraceContext.of(c.job().trace().traceparent()).traceId()).isEqualTo(slot(res, i).getString("trace_id"));
      complete(c);
      var view = get(http.get(port(), "127.0.0.1", "/api/jobs/" + slot(res, i).getString("job_id"))
          .bearerTokenAuthentication(KEY_A).send());
      assertThat(view.bodyAsJsonObject().getString("status")).isEqualTo(JobStatus.COMPLETED.wire());
    }
  }

}
