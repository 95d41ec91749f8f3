package io.emp.jobqueue.gateway;

import io.emp.jobqueue.core.telemetry.SpanName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emp.jobqueue.queue.store.ClaimedJob;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TelemetryApiTest extends GatewayTestSupport {

  @BeforeAll
  static void start() {
    startStack(new JsonObject());
  }

  @Test
  void jobTraceIsServedAsASpanTreeToItsOwnerOnly() {
    String service = newService();
    String id = submitHttp(KEY_A, new JsonObject().put("service_required", service)
        .put("workflow_id", "wf-telemetry-1"));
    ClaimedJob c = claim(service);
    complete(c);

    var res = get(http.get(port(), "127.0.0.1", "/api/traces?job_id=" + id).bearerTokenAuthentication(KEY_A).send());
    assertThat(res.statusCode()).isEqualTo(200);
    JsonArray traces = res.bodyAsJsonObject().getJsonArray("traces");
    assertThat(traces).hasSize(1);
    JsonObject root = traces.getJsonObject(0).getJsonArray("roots").getJsonObject(0);
    assertThat(root.getString("name")).isEqualTo(SpanName.HTTP_REQUEST);
    assertThat(root.getJsonArray("children").getJsonObject(0).getString("name")).isEqualTo(SpanName.REDIS_SUBMIT);
    String traceId = traces.getJsonObject(0).getString("trace_id");

    assertThat(get(http.get(port(), "127.0.0.1", "/api/traces?job_id=" + id).bearerTokenAuthentication(KEY_B)
        .send()).statusCode()).as("another customer's job").isEqualTo(404);
    assertThat(get(http.get(port(), "127.0.0.1", "/api/traces/" + traceId).bearerTokenAuthentication(KEY_A)
        .send()).statusCode()).as("whole traces are admin-only").isEqualTo(403);
    var byId = get(http.get(port(), "127.0.0.1", "/api/traces/" + traceId).bearerTokenAuthentication(KEY_ADMIN).send());
    assertThat(byId.statusCode()).isEqualTo(200);
    assertThat(byId.bodyAsJsonObject().getInteger("span_count")).isGreaterThanOrEqualTo(2);

    var wf = get(http.get(port(), "127.0.0.1", "/api/workflows/" + stored(CUST_A, "wf-telemetry-1")).bearerTokenAuthentication(KEY_ADMIN)
        .send());
    assertThat(wf.statusCode()).isEqualTo(200);
    assertThat(wf.bodyAsJsonObject().getJsonArray("trace_sessions")).contains(traceId);
  }

  @Test
  void metricsAndCountersAreExposed() {
    String service = newService();
    submitHttp(KEY_A, new JsonObject().put("service_required", service));
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      var metrics = get(http.get(port(), "127.0.0.1", "/metrics").send());
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.getHeader("Content-Type")).startsWith("text/plain; version=0.0.4");
      assertThat(metrics.bodyAsString())
          .contains("emp_queue_jobs{scope=\"cluster\",service=\"" + service + "\",state=\"pending\"} 1.0")
          .contains("emp_queue_up{scope=\"cluster\"} 1.0").contains("emp_tail_sampler_kept_spans_total")
          // Vert.x's own meters share the node's registry
          .contains("vertx_http_server_requests_total");
    });
    assertThat(get(http.get(port(), "127.0.0.1", "/api/telemetry").bearerTokenAuthentication(KEY_A).send())
        .statusCode()).isEqualTo(403);
    var counters = get(http.get(port(), "127.0.0.1", "/api/telemetry").bearerTokenAuthentication(KEY_ADMIN).send());
    assertThat(counters.statusCode()).as(counters.bodyAsString()).isEqualTo(200);
    assertThat(counters.bodyAsJsonObject().getJsonObject("sampler").getLong("kept_spans")).isPositive();
  }

  @Test
  void onlyAdminsMayDeclareACustomerTierInBaggage() {
    String service = newService();
    var asClient = get(http.post(port(), "127.0.0.1", "/api/jobs").bearerTokenAuthentication(KEY_A)
        .putHeader("baggage", "customer.tier=vip,team=render")
        .sendJsonObject(new JsonObject().put("service_required", service)));
    var asAdmin = get(http.post(port(), "127.0.0.1", "/api/jobs").bearerTokenAuthentication(KEY_ADMIN)
        .putHeader("baggage", "customer.tier=vip")
        .sendJsonObject(new JsonObject().put("service_required", service)));
    String clientBaggage = get(store.get(stored(CUST_A, asClient.bodyAsJsonObject().getString("job_id"))))
        .orElseThrow()
        .trace().baggage();
    String adminBaggage = get(store.get(asAdmin.bodyAsJsonObject().getString("job_id"))).orElseThrow()
        .trace().baggage();
    assertThat(clientBaggage).contains("team=render").doesNotContain("customer.tier");
    assertThat(adminBaggage).contains("customer.tier=vip");
  }

  @Test
  void monitorPageIsServed() {
    var page = get(http.get(port(), "127.0.0.1", "/monitor").send());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.getHeader("Content-Type")).startsWith("text/html");
    assertThat(page.bodyAsString()).contains("EMP Job Queue monitor").contains("/ws/monitor");
  }
}
