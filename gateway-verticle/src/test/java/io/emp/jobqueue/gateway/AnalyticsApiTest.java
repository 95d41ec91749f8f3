package io.emp.jobqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emp.jobqueue.core.metrics.MetricsConfig;
import io.emp.jobqueue.core.metrics.SlaConfig;
import io.emp.jobqueue.core.model.Failure;
import io.emp.jobqueue.queue.store.ClaimedJob;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SLA, capacity and anomaly figures of an API node, computed from the job events it relays and the
 * queue's stats: GET /api/sla, GET /api/capacity, their gauges, and the anomaly event on the monitor
 * stream (WebSocket and the event-bus address the SockJS bridge forwards).
 */
class AnalyticsApiTest extends GatewayTestSupport {
  static final Duration WAIT = Duration.ofSeconds(30);

  @BeforeAll
  static void start() {
    // a short warm-up so a few intervals make a baseline
    startStack(new JsonObject(), new MetricsConfig(true, 100, SlaConfig.DEFAULTS,
        new MetricsConfig.Anomaly(0.5, 3.0, 3, 0.05), MetricsConfig.Capacity.DEFAULTS));
  }

  static JsonObject getAdmin(String path) {
    var res = get(http.get(port(), "127.0.0.1", path).bearerTokenAuthentication(KEY_ADMIN).send());
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(200);
    return res.bodyAsJsonObject();
  }

  static JsonObject entry(JsonArray arr, String key, String value) {
    return arr.stream().map(o -> (JsonObject) o).filter(o -> value.equals(o.getString(key))).findFirst().orElse(null);
  }

  static JsonObject tierService(JsonObject sla, String tier, String service) {
    JsonObject t = entry(sla.getJsonArray("tiers"), "tier", tier);
    return t == null ? null : entry(t.getJsonArray("services"), "service", service);
  }

  static String submitAs(String key, String service, String baggage) {
    var req = http.post(port(), "127.0.0.1", "/api/jobs").bearerTokenAuthentication(key);
    if (baggage != null) {
      req.putHeader("baggage", baggage);
    }
    var res = get(req.sendJsonObject(new JsonObject().put("service_required", service)));
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(201);
    return res.bodyAsJsonObject().getString("job_id");
  }

  static void failForGood(ClaimedJob c) {
    get(store.fail(c.job().id(), c.token(), Failure.permanent("validation_error", "bad input"), null));
  }

  /** Waits until the analytics ran two more intervals (so everything relayed so far is in). */
  static void awaitTicks() {
    long t = gateway.analyticsTicks();
    await().atMost(WAIT).until(() -> gateway.analyticsTicks() >= t + 2);
  }

  @Test
  void slaAndCapacityComeFromTheRelayedEventsAndTheQueue() {
    String svc = newService();
    submitAs(KEY_ADMIN, svc, "customer.tier=vip");
    complete(claim(svc));
    submitAs(KEY_A, svc, null);
    failForGood(claim(svc));
    submitAs(KEY_A, svc, null); // stays pending: the backlog

    await().atMost(WAIT).untilAsserted(() -> {
      JsonObject sla = getAdmin("/api/sla");
      JsonObject vip = tierService(sla, "vip", svc);
      assertThat(vip).isNotNull();
      assertThat(vip.getJsonObject("last_hour").getLong("jobs")).isEqualTo(1L);
      assertThat(vip.getJsonObject("last_hour").getDouble("compliance")).isEqualTo(1.0);
      JsonObject standard = tierService(sla, "standard", svc);
      assertThat(standard).isNotNull();
      assertThat(standard.getJsonObject("last_day").getLong("missed")).as("a failed job misses").isEqualTo(1L);
      assertThat(standard.getJsonObject("last_day").getDouble("compliance")).isEqualTo(0.0);
    });
    JsonObject vipTier = entry(getAdmin("/api/sla").getJsonArray("tiers"), "tier", "vip");
    assertThat(vipTier.getLong("promised_ms")).isEqualTo(SlaConfig.DEFAULT_VIP_PROMISED_MS);

    await().atMost(WAIT).untilAsserted(() -> {
      JsonObject cap = entry(getAdmin("/api/capacity").getJsonArray("services"), "service", svc);
      assertThat(cap).isNotNull();
      assertThat(cap.getLong("backlog")).isEqualTo(1L);
      assertThat(cap.getDouble("arrival_rate_per_s")).isPositive();
      assertThat(cap.getDouble("completion_rate_per_s")).isPositive();
      assertThat(cap.getDouble("slots_needed")).isGreaterThanOrEqualTo(1.0);
    });

    String metrics = get(http.get(port(), "127.0.0.1", "/metrics").send()).bodyAsString();
    assertThat(metrics)
        .contains("emp_sla_compliance_ratio{scope=\"cluster\",service=\"" + svc + "\",tier=\"vip\",window=\"1h\"} 1.0")
        .contains("emp_capacity_backlog_jobs{scope=\"cluster\",service=\"" + svc + "\"} 1.0");

    for (String path : List.of("/api/sla", "/api/capacity")) {
      assertThat(get(http.get(port(), "127.0.0.1", path).bearerTokenAuthentication(KEY_A).send()).statusCode())
          .as(path + " is admin-only").isEqualTo(403);
    }
  }

  @Test
  void anErrorRateJumpIsAnAnomalyEventOnTheMonitorStream() {
    List<JsonObject> onBus = new CopyOnWriteArrayList<>();
    vertx.eventBus().<JsonObject>consumer(JobAnalytics.MONITOR_ANOMALIES, m -> onBus.add(m.body()));
    TestSocket monitor = TestSocket.open(wsClient, port(), "/ws/monitor", KEY_ADMIN);
    String svc = newService();
    // a baseline: intervals with completions and no failure
    for (int i = 0; i < 5; i++) {
      submitAs(KEY_A, svc, null);
      complete(claim(svc));
      awaitTicks();
    }
    assertThat(onBus).noneMatch(e -> svc.equals(e.getString("service")) && "error_rate".equals(e.getString("signal")));
    submitAs(KEY_A, svc, null);
    submitAs(KEY_A, svc, null);
    failForGood(claim(svc));
    failForGood(claim(svc));

    JsonObject event = monitor.await(m -> "anomaly".equals(m.getString("type")) && svc.equals(m.getString("service"))
        && "error_rate".equals(m.getString("signal")));
    assertThat(event.getDouble("value")).isEqualTo(1.0);
    assertThat(event.getDouble("score")).isGreaterThanOrEqualTo(3.0);
    assertThat(event.getDouble("baseline_mean")).isLessThan(0.5);
    await().atMost(WAIT).until(() -> onBus.stream().anyMatch(e -> svc.equals(e.getString("service"))
        && "error_rate".equals(e.getString("signal"))));
    String metrics = get(http.get(port(), "127.0.0.1", "/metrics").send()).bodyAsString();
    assertThat(metrics).contains("emp_anomalies_total{scope=\"cluster\",service=\"" + svc
        + "\",signal=\"error_rate\"} 1.0");
    monitor.close();
  }

  static long total(JsonObject activity, String field) {
    return activity.getJsonArray("buckets").stream().mapToLong(o -> ((JsonObject) o).getLong(field)).sum();
  }

  @Test
  void activityCountsSubmitsAndOutcomesPerMinuteWithTheirLatency() {
    JsonObject before = getAdmin("/api/activity");
    assertThat(before.getLong("bucket_ms")).isEqualTo(60_000L);
    assertThat(before.getJsonArray("buckets")).hasSize(15);
    String svc = newService();
    submitAs(KEY_A, svc, null);
    submitAs(KEY_A, svc, null);
    complete(claim(svc));
    failForGood(claim(svc));

    await().atMost(WAIT).untilAsserted(() -> {
      JsonObject now = getAdmin("/api/activity");
      assertThat(total(now, "submitted") - total(before, "submitted")).isGreaterThanOrEqualTo(2);
      assertThat(total(now, "completed") - total(before, "completed")).isGreaterThanOrEqualTo(1);
      assertThat(total(now, "failed") - total(before, "failed")).isGreaterThanOrEqualTo(1);
      // the completion's submit-to-complete latency is in its minute
      assertThat(now.getJsonArray("buckets").stream().map(o -> (JsonObject) o)
          .filter(b -> b.getLong("completed") > 0).map(b -> b.getValue("p95_ms"))).doesNotContainNull().isNotEmpty();
    });
    assertThat(get(http.get(port(), "127.0.0.1", "/api/activity").bearerTokenAuthentication(KEY_A).send())
        .statusCode()).as("admin-only").isEqualTo(403);
  }

  @Test
  void errorAnswersAreCountedByType() {
    get(http.get(port(), "127.0.0.1", "/api/jobs/nope").bearerTokenAuthentication("not-a-key-0123456789").send());
    String metrics = get(http.get(port(), "127.0.0.1", "/metrics").send()).bodyAsString();
    assertThat(metrics).containsPattern("emp_errors_total\\{component=\"api\",error_type=\"unauthorized\"} [1-9]");
  }
}
