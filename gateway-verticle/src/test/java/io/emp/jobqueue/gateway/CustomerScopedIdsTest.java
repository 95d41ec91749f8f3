package io.emp.jobqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Job and workflow ids a client chooses belong to its customer: another customer choosing the same
 * id gets its own job and can never reach, or learn anything about, the first one (PublicIds).
 */
class CustomerScopedIdsTest extends GatewayTestSupport {

  @BeforeAll
  static void start() {
    startStack(new JsonObject());
  }

  private static HttpResponse<Buffer> getAs(String path, String key) {
    return get(http.get(port(), "127.0.0.1", path).bearerTokenAuthentication(key).send());
  }

  private static HttpResponse<Buffer> submit(String key, JsonObject job) {
    return get(http.post(port(), "127.0.0.1", "/api/jobs").bearerTokenAuthentication(key).sendJsonObject(job));
  }

  private static HttpResponse<Buffer> cancel(String key, String id) {
    return get(http.post(port(), "127.0.0.1", "/api/jobs/" + id + "/cancel").bearerTokenAuthentication(key).send());
  }

  @Test
  void anotherCustomerChoosingTheSameIdGetsItsOwnJob() {
    String svc = newService();
    String id = "order-" + svc;
    var a = submit(KEY_A, new JsonObject().put("id", id).put("service_required", svc).put("priority", 10)
        .put("payload", new JsonObject().put("from", "A")));
    assertThat(a.statusCode()).isEqualTo(201);
    var b = submit(KEY_B, new JsonObject().put("id", id).put("service_required", svc).put("priority", 90)
        .put("payload", new JsonObject().put("from", "B")));
    assertThat(b.statusCode()).as("B's job is created, not A's returned").isEqualTo(201);
    JsonObject bAnswer = b.bodyAsJsonObject();
    assertThat(bAnswer.getString("job_id")).isEqualTo(id);
    assertThat(bAnswer.getString("trace_id")).isNotEqualTo(a.bodyAsJsonObject().getString("trace_id"));
    assertThat(bAnswer.getLong("priority_score")).isNotEqualTo(a.bodyAsJsonObject().getLong("priority_score"));
    assertThat(bAnswer.getLong("estimated_position")).as("B's own place (priority 90 is ahead of A's 10)").isZero();

    // Each customer reads its own job under the same id.
    JsonObject jobA = getAs("/api/jobs/" + id, KEY_A).bodyAsJsonObject();
    JsonObject jobB = getAs("/api/jobs/" + id, KEY_B).bodyAsJsonObject();
    assertThat(jobA.getString("id")).isEqualTo(id);
    assertThat(jobB.getString("id")).isEqualTo(id);
    assertThat(jobA.getString("customer_id")).isEqualTo(CUST_A);
    assertThat(jobB.getString("customer_id")).isEqualTo(CUST_B);
    assertThat(jobB.getJsonObject("payload").getString("from")).isEqualTo("B");
    assertThat(jobB.getString("traceparent")).doesNotContain(a.bodyAsJsonObject().getString("trace_id"));

    // B's cancel and events touch B's job only.
    assertThat(cancel(KEY_B, id).bodyAsJsonObject().getString("outcome")).isEqualTo("cancelled");
    assertThat(getAs("/api/jobs/" + id, KEY_A).bodyAsJsonObject().getString("status")).isEqualTo("pending");
    JsonArray eventsB = getAs("/api/jobs/" + id + "/events", KEY_B).bodyAsJsonObject().getJsonArray("events");
    assertThat(eventsB.stream().map(e -> ((JsonObject) e).getString("type")))
        .containsExactly("job_submitted", "job_cancelled");
    assertThat(eventsB.stream().map(e -> ((JsonObject) e).getString("job_id"))).containsOnly(id);
    JsonArray eventsA = getAs("/api/jobs/" + id + "/events", KEY_A).bodyAsJsonObject().getJsonArray("events");
    assertThat(eventsA.stream().map(e -> ((JsonObject) e).getString("type"))).containsExactly("job_submitted");

    // Lists: each customer sees one job with the id it chose; the admin sees both, by stored id.
    assertThat(ids(getAs("/api/jobs?service=" + svc, KEY_A))).containsExactly(id);
    assertThat(ids(getAs("/api/jobs?service=" + svc, KEY_B))).containsExactly(id);
    assertThat(ids(getAs("/api/jobs?service=" + svc, KEY_ADMIN)))
        .containsExactlyInAnyOrder(stored(CUST_A, id), stored(CUST_B, id));

    // B's traces name B's job as B knows it.
    var traces = getAs("/api/traces?job_id=" + id, KEY_B);
    assertThat(traces.bodyAsJsonObject().getString("job_id")).isEqualTo(id);
    assertThat(traces.bodyAsJsonObject().getJsonArray("traces")).isNotEmpty();
    assertThat(traces.bodyAsString()).contains("\"" + id + "\"").doesNotContain(stored(CUST_B, id));

    // Nothing B receives mentions A.
    for (String body : List.of(b.bodyAsString(), getAs("/api/jobs/" + id, KEY_B).bodyAsString(),
        getAs("/api/jobs/" + id + "/events", KEY_B).bodyAsString(), getAs("/api/jobs?service=" + svc, KEY_B)
            .bodyAsString(), traces.bodyAsString())) {
      assertThat(body).doesNotContain(CUST_A).doesNotContain("\"from\":\"A\"");
    }
  }

  @Test
  void idsNamingAStoredIdAreNotAccepted() {
    String svc = newService();
    String id = "mine-" + svc;
    assertThat(submit(KEY_A, new JsonObject().put("id", id).put("service_required", svc)).statusCode()).isEqualTo(201);
    // B cannot reach A's job by its stored form, neither by submitting nor by path.
    var forged = submit(KEY_B, new JsonObject().put("id", stored(CUST_A, id)).put("service_required", svc));
    assertThat(forged.statusCode()).isEqualTo(400);
    assertThat(details(forged.bodyAsJsonObject()).getJsonObject(0).getString("field")).isEqualTo("id");
    assertThat(getAs("/api/jobs/" + stored(CUST_A, id), KEY_B).statusCode()).isEqualTo(404);
    assertThat(getAs("/api/jobs/" + stored(CUST_A, id), KEY_A).statusCode()).as("a client uses names only")
        .isEqualTo(404);
    assertThat(cancel(KEY_B, stored(CUST_A, id)).statusCode()).isEqualTo(404);
    assertThat(getAs("/api/jobs/" + id, KEY_A).bodyAsJsonObject().getString("status")).isEqualTo("pending");
  }

  @Test
  void theSameOverWebSocketSubmitWithMessageId() {
    String svc = newService();
    String messageId = "msg-" + svc;
    TestSocket a = TestSocket.open(wsClient, port(), "/ws", KEY_A);
    a.send(new JsonObject().put("type", "submit_job").put("message_id", messageId).put("service_required", svc)
        .put("payload", new JsonObject().put("from", "A")));
    assertThat(a.awaitType("job_accepted", messageId).getBoolean("created")).isTrue();
    a.awaitType("job_submitted", messageId);

    TestSocket b = TestSocket.open(wsClient, port(), "/ws", KEY_B);
    b.send(new JsonObject().put("type", "submit_job").put("message_id", messageId).put("service_required", svc)
        .put("payload", new JsonObject().put("from", "B")));
    JsonObject accepted = b.awaitType("job_accepted", messageId);
    assertThat(accepted.getBoolean("created")).isTrue();
    b.awaitType("job_submitted", messageId);
    assertThat(getAs("/api/jobs/" + messageId, KEY_B).bodyAsJsonObject().getJsonObject("payload").getString("from"))
        .isEqualTo("B");

    // Two jobs, one per customer; B's socket follows B's job only, A's socket A's.
    assertThat(ids(getAs("/api/jobs?service=" + svc, KEY_ADMIN)))
        .containsExactlyInAnyOrder(stored(CUST_A, messageId), stored(CUST_B, messageId));
    assertThat(cancel(KEY_B, messageId).statusCode()).isEqualTo(200);
    b.awaitType("job_cancelled", messageId);
    complete(claim(svc));
    a.awaitType("complete_job", messageId);
    assertThat(b.received.stream().map(m -> m.getString("type"))).doesNotContain("complete_job", "job_assigned");
    assertThat(a.received.stream().map(m -> m.getString("type"))).doesNotContain("job_cancelled");
    assertThat(b.received.toString()).doesNotContain(CUST_A);
    // A subscribe names the caller's own job.
    TestSocket b2 = TestSocket.open(wsClient, port(), "/ws", KEY_B);
    b2.subscribe(messageId, 0L);
    assertThat(b2.awaitType("subscribed", messageId).getString("status")).isEqualTo("cancelled");
    b2.awaitType("job_cancelled", messageId);
    a.close();
    b.close();
    b2.close();
  }

  @Test
  void workflowsOfTwoCustomersWithTheSameIdStayApart() {
    String svc = newService();
    String wf = "wf-" + svc;
    submit(KEY_A, new JsonObject().put("service_required", svc).put("workflow_id", wf).put("current_step", 1));
    String jobB = submit(KEY_B, new JsonObject().put("service_required", svc).put("workflow_id", wf)
        .put("current_step", 1)).bodyAsJsonObject().getString("job_id");
    assertThat(getAs("/api/jobs/" + jobB, KEY_B).bodyAsJsonObject().getString("workflow_id")).isEqualTo(wf);

    JsonObject stepsA = getAs("/api/workflows/" + stored(CUST_A, wf), KEY_ADMIN).bodyAsJsonObject();
    JsonObject stepsB = getAs("/api/workflows/" + stored(CUST_B, wf), KEY_ADMIN).bodyAsJsonObject();
    assertThat(stepsA.getJsonArray("steps")).hasSize(1);
    assertThat(stepsB.getJsonArray("steps")).hasSize(1);
    assertThat(stepsB.getJsonArray("steps").getJsonObject(0).getString("job_id")).isEqualTo(stored(CUST_B, jobB));
    assertThat(stepsA.getJsonArray("trace_sessions")).doesNotContainAnyElementsOf(
        stepsB.getJsonArray("trace_sessions").getList());
    assertThat(getAs("/api/workflows/" + wf, KEY_ADMIN).statusCode()).as("no unscoped workflow exists").isEqualTo(404);
  }

  @Test
  void pathIdsOutsideTheIdRuleAre404WithoutInternals() {
    String svc = newService();
    String id = "exists-" + svc;
    submit(KEY_A, new JsonObject().put("id", id).put("service_required", svc));
    for (String key : List.of(KEY_A, KEY_B, KEY_ADMIN)) {
      String path = KEY_ADMIN.equals(key) ? stored(CUST_A, id) : id;
      for (var res : List.of(getAs("/api/jobs/" + path + ":events", key),
          get(http.post(port(), "127.0.0.1", "/api/jobs/" + path + ":events/cancel").bearerTokenAuthentication(key)
              .send()),
          getAs("/api/jobs/" + path + ":events/events", key),
          getAs("/api/traces?job_id=" + path + ":events", key))) {
        assertThat(res.statusCode()).isEqualTo(404);
        assertThat(res.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("not_found");
        assertThat(res.bodyAsString()).doesNotContain("WRONGTYPE").doesNotContain("redis").doesNotContain(":events");
      }
    }
  }

  private static List<String> ids(HttpResponse<Buffer> list) {
    return list.bodyAsJsonObject().getJsonArray("jobs").stream().map(o -> ((JsonObject) o).getString("id")).toList();
  }
}
