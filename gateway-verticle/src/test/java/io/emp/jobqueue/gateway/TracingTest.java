package io.emp.jobqueue.gateway;

import io.emp.jobqueue.core.telemetry.Attr;
import io.emp.jobqueue.core.telemetry.EventName;
import io.emp.jobqueue.core.telemetry.ServiceName;
import io.emp.jobqueue.core.telemetry.SpanName;
import static org.assertj.core.api.Assertions.assertThat;

import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.queue.store.ClaimedJob;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TracingTest extends GatewayTestSupport {
  static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String CLIENT_SPAN = "00f067aa0ba902b7";

  @BeforeAll
  static void start() {
    startStack(new JsonObject());
  }

  static SpanData awaitSpan(Predicate<SpanData> p) {
    Awaitility.await().atMost(Duration.ofSeconds(30))
        .until(() -> spans.getFinishedSpanItems().stream().anyMatch(p));
    return spans.getFinishedSpanItems().stream().filter(p).findFirst().orElseThrow();
  }

  static String str(SpanData s, String key) {
    return s.getAttributes().get(AttributeKey.stringKey(key));
  }

  static Long num(SpanData s, String key) {
    return s.getAttributes().get(AttributeKey.longKey(key));
  }

  static List<String> events(SpanData s) {
    return s.getEvents().stream().map(EventData::getName).toList();
  }

  @Test
  void httpSpanContinuesTheCallersTraceAndParentsTheRedisSubmit() {
    String svc = newService();
    var res = get(http.post(port(), "127.0.0.1", "/api/jobs").bearerTokenAuthentication(KEY_A)
        .putHeader("traceparent", "00-" + TRACE + "-" + CLIENT_SPAN + "-01")
        .putHeader("baggage", "tenant=acme").putHeader("User-Agent", "tracing-test/1.0")
        .sendJsonObject(new JsonObject().put("service_required", svc).put("priority", 3)
            .put("workflow_id", "wf-1")));
    assertThat(res.statusCode()).isEqualTo(201);
    // Spans carry the stored id of the job and workflow ("<customer>~<name>", PublicIds).
    String publicId = res.bodyAsJsonObject().getString("job_id");
    String jobId = stored(CUST_A, publicId);
    assertThat(res.bodyAsJsonObject().getString("trace_id")).isEqualTo(TRACE);

    SpanData httpSpan = awaitSpan(s -> s.getName().equals(SpanName.HTTP_REQUEST) && jobId.equals(str(s, Attr.JOB_ID)));
    assertThat(httpSpan.getTraceId()).isEqualTo(TRACE);
    assertThat(httpSpan.getParentSpanId()).isEqualTo(CLIENT_SPAN);
    assertThat(httpSpan.getKind()).isEqualTo(SpanKind.SERVER);
    assertThat(httpSpan.getResource().getAttribute(AttributeKey.stringKey("service.name"))).isEqualTo(ServiceName.API);
    assertThat(str(httpSpan, Attr.HTTP_METHOD)).isEqualTo("POST");
    assertThat(str(httpSpan, Attr.HTTP_REQUEST_METHOD)).isEqualTo("POST");
    assertThat(str(httpSpan, Attr.URL_PATH)).isEqualTo("/api/jobs");
    assertThat(str(httpSpan, Attr.HTTP_URL)).isEqualTo("/api/jobs");
    assertThat(str(httpSpan, Attr.USER_AGENT_ORIGINAL)).isEqualTo("tracing-test/1.0");
    assertThat(str(httpSpan, Attr.HTTP_USER_AGENT)).isEqualTo("tracing-test/1.0");
    assertThat(str(httpSpan, Attr.CLIENT_ADDRESS)).isEqualTo("127.0.0.1");
    assertThat(num(httpSpan, Attr.HTTP_RESPONSE_STATUS_CODE)).isEqualTo(201L);
    assertThat(num(httpSpan, Attr.HTTP_STATUS_CODE)).isEqualTo(201L);
    assertThat(num(httpSpan, Attr.HTTP_REQUEST_BODY_SIZE)).isPositive();
    assertThat(str(httpSpan, Attr.REQUEST_ID)).isEqualTo(res.getHeader("X-Request-Id"));
    assertThat(str(httpSpan, Attr.JOB_SERVICE_REQUIRED)).isEqualTo(svc);
    assertThat(num(httpSpan, Attr.JOB_PRIORITY)).isEqualTo(3L);
    assertThat(str(httpSpan, Attr.CUSTOMER_ID)).isEqualTo("custA");
    assertThat(str(httpSpan, Attr.WORKFLOW_ID)).isEqualTo(stored(CUST_A, "wf-1"));
    assertThat(str(httpSpan, Attr.API_VERSION)).isNotBlank();
    assertThat(events(httpSpan)).containsExactly(EventName.VALIDATION_STARTED, EventName.VALIDATION_COMPLETED,
        EventName.SUBMISSION_STARTED, EventName.SUBMISSION_COMPLETED);
    assertThat(httpSpan.getAttributes().asMap().values().toString()).doesNotContain(KEY_A);

    SpanData submit = awaitSpan(s -> s.getName().equals(SpanName.REDIS_SUBMIT) && jobId.equals(str(s, Attr.JOB_ID)));
    assertThat(submit.getTraceId()).isEqualTo(TRACE);
    assertThat(submit.getParentSpanId()).isEqualTo(httpSpan.getSpanId());

    // The caller's baggage travels with the job (stored beside its traceparent).
    JsonObject job = get(http.get(port(), "127.0.0.1", "/api/jobs/" + publicId).bearerTokenAuthentication(KEY_A).send())
        .bodyAsJsonObject();
    assertThat(job.getString("baggage")).contains("tenant=acme");
    assertThat(job.getString("traceparent")).contains(TRACE).contains(submit.getSpanId());
  }

  @Test
  void rejectedRequestsAreTracedWithTheFailureEvent() {
    var res = get(http.post(port(), "127.0.0.1", "/api/jobs").bearerTokenAuthentication(KEY_A)
        .putHeader("X-Request-Id", "bad-one").sendJsonObject(new JsonObject().put("priority", "high")));
    assertThat(res.statusCode()).isEqualTo(400);
    SpanData span = awaitSpan(s -> s.getName().equals(SpanName.HTTP_REQUEST) && "bad-one".equals(str(s, Attr.REQUEST_ID)));
    assertThat(num(span, Attr.HTTP_RESPONSE_STATUS_CODE)).isEqualTo(400L);
    assertThat(events(span)).containsExactly(EventName.VALIDATION_STARTED, EventName.VALIDATION_FAILED);
  }

  @Test
  void broadcastSpanIsAChildOfTheEmittingSpanAndOnlyExistsWhenDelivered() {
    String quietSvc = newService();
    String quiet = get(store.submit(io.emp.jobqueue.core.model.JobSpec.of(quietSvc, 1, new JsonObject())
        .withCustomer("custA"))).jobId();
    String svc = newService();
    String id = submitHttp(KEY_A, new JsonObject().put("service_required", svc).put("correlation_id", "order-77"));
    TestSocket ws = TestSocket.open(wsClient, port(), "/ws", KEY_A);
    ws.subscribe(id, null);
    ws.awaitType("subscribed", id);
    ClaimedJob c = claim(svc);
    String workerSpan = "1111222233334444";
    String workerTrace = "0af7651916cd43dd8448eb211c80319c";
    get(store.complete(stored(CUST_A, id), c.token(), new JsonObject().put("ok", 1),
        TraceContext.of("00-" + workerTrace + "-" + workerSpan + "-01")));
    ws.awaitType("complete_job", id);

    SpanData b = awaitSpan(s -> s.getName().equals(SpanName.WS_BROADCAST) && stored(CUST_A, id).equals(str(s, Attr.EVENT_JOB_ID))
        && "complete_job".equals(str(s, Attr.WS_EVENT_TYPE)));
    assertThat(b.getTraceId()).isEqualTo(workerTrace);
    assertThat(b.getParentSpanId()).isEqualTo(workerSpan);
    assertThat(b.getResource().getAttribute(AttributeKey.stringKey("service.name"))).isEqualTo(ServiceName.API);
    assertThat(num(b, Attr.WS_CLIENT_COUNT)).isEqualTo(1L);
    assertThat(str(b, Attr.WS_SESSION_ID)).isNotBlank();
    assertThat(str(b, Attr.EVENT_CORRELATION_ID)).isEqualTo("order-77");
    assertThat(num(b, Attr.EVENT_SEQUENCE_NUMBER)).isEqualTo(3L);
    assertThat(num(b, Attr.EVENT_PAYLOAD_SIZE)).isPositive();
    assertThat(num(b, Attr.EVENT_PROCESSING_LATENCY_MS)).isNotNull().isGreaterThanOrEqualTo(0L);
    assertThat(num(b, Attr.EVENT_QUEUE_TO_RESPONSE_MS)).isNotNull().isGreaterThanOrEqualTo(0L);
    assertThat(b.getAttributes().get(AttributeKey.doubleKey(Attr.EVENT_BROADCAST_DURATION_MS))).isNotNull();
    assertThat(str(b, Attr.JOB_FINAL_STATUS)).isEqualTo("completed");
    assertThat(num(b, Attr.JOB_RETRY_COUNT)).isEqualTo(0L);
    assertThat(b.getAttributes().get(AttributeKey.booleanKey(Attr.CUSTOMER_RESPONSE_DELIVERED))).isTrue();
    assertThat(events(b)).containsExactly(EventName.WS_MESSAGE_SERIALIZED, EventName.WS_MESSAGE_SENT, EventName.WS_CLIENT_NOTIFIED);

    // The quiet job's event came earlier in the stream and reached no socket: no span for it.
    Optional<SpanData> none = spans.getFinishedSpanItems().stream()
        .filter(s -> s.getName().equals(SpanName.WS_BROADCAST) && quiet.equals(str(s, Attr.EVENT_JOB_ID))).findAny();
    assertThat(none).isEmpty();
    ws.close();
  }
}
