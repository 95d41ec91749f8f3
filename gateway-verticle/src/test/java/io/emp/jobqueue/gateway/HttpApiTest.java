package io.emp.jobqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HttpApiTest extends GatewayTestSupport {

  @BeforeAll
  static void start() {
    startStack(new JsonObject().put("body_limit_bytes", 16 * 1024));
  }

  private static HttpResponse<Buffer> post(String path, String key, Buffer body) {
    var req = http.post(port(), "127.0.0.1", path).putHeader("Content-Type", "application/json");
    if (key != null) {
      req.bearerTokenAuthentication(key);
    }
    return get(req.sendBuffer(body));
  }

  private static HttpResponse<Buffer> getAs(String path, String key) {
    var req = http.get(port(), "127.0.0.1", path);
    if (key != null) {
      req.putHeader("X-API-Key", key);
    }
    return get(req.send());
  }

  @Test
  void submitThenReadListCancelAndEvents() {
    String svc = newService();
    var res = get(http.post(port(), "127.0.0.1", "/api/jobs").bearerTokenAuthentication(KEY_A)
        .putHeader("X-Request-Id", "req-123").sendJsonObject(new JsonObject().put("service_required", svc)
            .put("priority", 7).put("payload", new JsonObject().put("prompt", "cat"))));
    assertThat(res.statusCode()).isEqualTo(201);
    assertThat(res.getHeader("X-Request-Id")).isEqualTo("req-123");
    JsonObject body = res.bodyAsJsonObject();
    String id = body.getString("job_id");
    assertThat(body.getString("status")).isEqualTo("pending");
    assertThat(body.getLong("priority_score")).isPositive();
    assertThat(body.getLong("estimated_position")).isZero();
    assertThat(body.getString("trace_id")).matches("[0-9a-f]{32}");

    JsonObject job = getAs("/api/jobs/" + id, KEY_A).bodyAsJsonObject();
    assertThat(job.getString("id")).isEqualTo(id);
    assertThat(job.getString("customer_id")).isEqualTo("custA");
    assertThat(job.getString("request_id")).isEqualTo("req-123");
    assertThat(job.getInteger("priority")).isEqualTo(7);

    JsonArray listed = getAs("/api/jobs?status=pending&service=" + svc + "&limit=10", KEY_A).bodyAsJsonObject()
        .getJsonArray("jobs");
    assertThat(listed.stream().map(o -> ((JsonObject) o).getString("id")).toList()).containsExactly(id);

    var cancel = post("/api/jobs/" + id + "/cancel", KEY_A, new JsonObject().put("reason", "changed mind").toBuffer());
    assertThat(cancel.statusCode()).isEqualTo(200);
    assertThat(cancel.bodyAsJsonObject().getString("outcome")).isEqualTo("cancelled");
    var again = post("/api/jobs/" + id + "/cancel", KEY_A, Buffer.buffer());
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(again.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("conflict");

    JsonArray events = getAs("/api/jobs/" + id + "/events?after_seq=0", KEY_A).bodyAsJsonObject()
        .getJsonArray("events");
    assertThat(events.stream().map(o -> ((JsonObject) o).getString("type")).toList())
        .containsExactly("job_submitted", "job_cancelled");
    JsonArray afterFirst = getAs("/api/jobs/" + id + "/events?after_seq=1", KEY_A).bodyAsJsonObject()
        .getJsonArray("events");
    assertThat(afterFirst).hasSize(1);
    assertThat(afterFirst.getJsonObject(0).getLong("seq")).isEqualTo(2L);
  }

  @Test
  void idempotencyKeyReturnsTheSameJobWith200() {
    String svc = newService();
    JsonObject job = new JsonObject().put("service_required", svc);
    var first = get(http.post(port(), "127.0.0.1", "/api/jobs").bearerTokenAuthentication(KEY_A)
        .putHeader("Idempotency-Key", "order-1").sendJsonObject(job));
    var second = get(http.post(port(), "127.0.0.1", "/api/jobs").bearerTokenAuthentication(KEY_A)
        .putHeader("Idempotency-Key", "order-1").sendJsonObject(job));
    assertThat(first.statusCode()).isEqualTo(201);
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(second.bodyAsJsonObject().getString("job_id")).isEqualTo(first.bodyAsJsonObject().getString("job_id"));
    assertThat(second.bodyAsJsonObject().getString("trace_id")).isEqualTo(first.bodyAsJsonObject().getString("trace_id"));
    // The same key from another customer is another job: keys are scoped per customer.
    var other = get(http.post(port(), "127.0.0.1", "/api/jobs").bearerTokenAuthentication(KEY_B)
        .putHeader("Idempotency-Key", "order-1").sendJsonObject(job));
    assertThat(other.statusCode()).isEqualTo(201);
    assertThat(other.bodyAsJsonObject().getString("job_id")).isNotEqualTo(first.bodyAsJsonObject().getString("job_id"));
  }

  @Test
  void everyValidationProblemIsListed() {
    JsonObject bad = new JsonObject().put("priority", 100_000).put("payload", "not an object")
        .put("max_retries", -1).put("bogus_field", 1);
    var res = post("/api/jobs", KEY_A, bad.toBuffer());
    assertThat(res.statusCode()).isEqualTo(400);
    JsonObject err = res.bodyAsJsonObject().getJsonObject("error");
    assertThat(err.getString("code")).isEqualTo("validation");
    List<String> fields = err.getJsonArray("details").stream().map(o -> ((JsonObject) o).getString("field")).toList();
    assertThat(fields).contains("service_required", "priority", "payload", "max_retries", "bogus_field");
    assertThat(res.bodyAsString()).doesNotContain("Exception").doesNotContain("at io.");
  }

  @Test
  void malformedJsonAndWrongBodyTypesAre400() {
    var res = post("/api/jobs", KEY_A, Buffer.buffer("{\"service_required\": "));
    assertThat(res.statusCode()).isEqualTo(400);
    assertThat(details(res.bodyAsJsonObject()).getJsonObject(0).getString("code")).isEqualTo("malformed_json");
    var array = post("/api/jobs", KEY_A, Buffer.buffer("[1,2]"));
    assertThat(array.statusCode()).isEqualTo(400);
    var empty = post("/api/jobs", KEY_A, Buffer.buffer());
    assertThat(empty.statusCode()).isEqualTo(400);
    var badLimit = getAs("/api/jobs?limit=9999&status=nonsense", KEY_A);
    assertThat(badLimit.statusCode()).isEqualTo(400);
    assertThat(details(badLimit.bodyAsJsonObject())).hasSize(2);
    var badSeq = getAs("/api/jobs/any/events?after_seq=-1", KEY_A);
    assertThat(badSeq.statusCode()).isEqualTo(400);
    assertThat(details(badSeq.bodyAsJsonObject()).getJsonObject(0).getString("field")).isEqualTo("after_seq");
  }

  @Test
  void bodyOverTheLimitIs413() {
    String big = "x".repeat(20 * 1024);
    var res = post("/api/jobs", KEY_A, new JsonObject().put("service_required", newService())
        .put("payload", new JsonObject().put("blob", big)).toBuffer());
    assertThat(res.statusCode()).isEqualTo(413);
    assertThat(res.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("payload_too_large");
  }

  @Test
  void authIsRequiredAndCustomersAreIsolated() {
    String svc = newService();
    String idA = submitHttp(KEY_A, new JsonObject().put("service_required", svc));

    var none = getAs("/api/jobs/" + idA, null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.getHeader("WWW-Authenticate")).startsWith("Bearer");
    assertThat(getAs("/api/jobs/" + idA, "not-a-valid-key-at-all").statusCode()).isEqualTo(401);
    assertThat(post("/api/jobs", null, new JsonObject().put("service_required", svc).toBuffer()).statusCode())
        .isEqualTo(401);

    // Customer B cannot see, cancel or read the events of A's job: it does not exist for B.
    var read = getAs("/api/jobs/" + idA, KEY_B);
    assertThat(read.statusCode()).isEqualTo(404);
    assertThat(read.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("not_found");
    assertThat(post("/api/jobs/" + idA + "/cancel", KEY_B, Buffer.buffer()).statusCode()).isEqualTo(404);
    assertThat(getAs("/api/jobs/" + idA + "/events", KEY_B).statusCode()).isEqualTo(404);
    assertThat(getAs("/api/jobs?service=" + svc, KEY_B).bodyAsJsonObject().getJsonArray("jobs")).isEmpty();
    // ...and cannot submit in A's name.
    var forged = post("/api/jobs", KEY_B, new JsonObject().put("service_required", svc).put("customer_id", "custA")
        .toBuffer());
    assertThat(forged.statusCode()).isEqualTo(403);

    // The admin sees everything (by stored ids) and may submit for any customer.
    assertThat(getAs("/api/jobs/" + stored(CUST_A, idA), KEY_ADMIN).statusCode()).isEqualTo(200);
    assertThat(getAs("/api/jobs?service=" + svc, KEY_ADMIN).bodyAsJsonObject().getJsonArray("jobs")).hasSize(1);
    String forB = submitHttp(KEY_ADMIN, new JsonObject().put("service_required", svc).put("customer_id", "custB"));
    assertThat(getAs("/api/jobs/" + publicOf(CUST_B, forB), KEY_B).statusCode()).isEqualTo(200);
  }

  @Test
  void healthReadyVersionAndUnknownRoutes() {
    assertThat(getAs("/health", null).bodyAsJsonObject().getString("status")).isEqualTo("ok");
    var ready = getAs("/ready", null);
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.bodyAsJsonObject().getJsonObject("checks").getString("relay")).isEqualTo("ok");
    assertThat(getAs("/version", null).bodyAsJsonObject().getString("version")).isNotBlank();
    var unknown = getAs("/api/nothing-here", KEY_A);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("not_found");
    assertThat(getAs("/api/jobs/does-not-exist", KEY_ADMIN).statusCode()).isEqualTo(404);
  }
}
