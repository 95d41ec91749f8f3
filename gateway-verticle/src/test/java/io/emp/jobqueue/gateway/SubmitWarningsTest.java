package io.emp.jobqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emp.jobqueue.queue.store.MachineRegistry;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A submit for a service no live worker serves is accepted and flagged (issue 11), and the metrics
 * show such services and paused ones.
 */
class SubmitWarningsTest extends GatewayTestSupport {
  static final Duration WAIT = Duration.ofSeconds(20);

  @BeforeAll
  static void start() {
    startStack(new JsonObject());
  }

  static JsonObject submit(String svc) {
    var res = get(http.post(port(), "127.0.0.1", "/api/jobs").bearerTokenAuthentication(KEY_A)
        .sendJsonObject(new JsonObject().put("service_required", svc)));
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(201);
    return res.bodyAsJsonObject();
  }

  static String metrics() {
    return get(http.get(port(), "127.0.0.1", "/metrics").send()).bodyAsString();
  }

  @Test
  void aJobForAServiceNobodyServesIsAcceptedWithAWarningAndCountedUntilAWorkerServesIt() {
    String typo = "simulatoin-" + newService();
    // the first stats poll tells the gateway which services live workers serve
    JsonObject flagged = await().atMost(WAIT).until(() -> submit(typo), a -> a.containsKey("warnings"));
    JsonObject warning = flagged.getJsonArray("warnings").getJsonObject(0);
    assertThat(warning.getString("code")).isEqualTo("no_live_worker");
    assertThat(warning.getString("message")).contains(typo);
    assertThat(flagged.getString("status")).isEqualTo("pending");
    await().atMost(WAIT).until(() -> metrics().contains("emp_queue_unserved_services{scope=\"cluster\"} 1.0"));

    // a machine registers a worker that serves it: no warning any more, and the service is served
    get(MachineRegistry.of(store).register("warn-m1", "run-1", Map.of("machine_id", "warn-m1", "status", "ready"),
        Map.of("warn-m1-w0", Map.of("worker_id", "warn-m1-w0", "machine_id", "warn-m1",
            "services", "[\"" + typo + "\"]")), 60_000, System.currentTimeMillis()));
    await().atMost(WAIT).until(() -> !submit(typo).containsKey("warnings"));
    await().atMost(WAIT).until(() -> metrics().contains("emp_queue_unserved_services{scope=\"cluster\"} 0.0"));
    JsonObject queue = get(http.get(port(), "127.0.0.1", "/api/queues").bearerTokenAuthentication(KEY_ADMIN).send())
        .bodyAsJsonObject().getJsonArray("queues").stream().map(o -> (JsonObject) o)
        .filter(q -> typo.equals(q.getString("service"))).findFirst().orElseThrow();
    assertThat(queue.getInteger("workers")).as("live workers serving it").isEqualTo(1);
    get(MachineRegistry.of(store).unregister("warn-m1", "run-1", List.of("warn-m1-w0")));
  }

  @Test
  void aPausedServiceShowsInTheStatsAndTheMetrics() {
    String svc = newService();
    submit(svc);
    get(http.post(port(), "127.0.0.1", "/api/queues/" + svc + "/pause").bearerTokenAuthentication(KEY_ADMIN).send());
    String paused = "emp_queue_paused{scope=\"cluster\",service=\"" + svc + "\"}";
    await().atMost(WAIT).until(() -> metrics().contains(paused + " 1.0"));
    JsonObject stats = get(new io.emp.jobqueue.queue.QueueClient(vertx).stats(io.emp.jobqueue.core.model.TraceContext.EMPTY));
    assertThat(stats.getJsonArray("services").stream().map(o -> (JsonObject) o)
        .filter(s -> svc.equals(s.getString("service"))).findFirst().orElseThrow().getBoolean("paused")).isTrue();
    get(http.post(port(), "127.0.0.1", "/api/queues/" + svc + "/resume").bearerTokenAuthentication(KEY_ADMIN).send());
    await().atMost(WAIT).until(() -> metrics().contains(paused + " 0.0"));
  }
}
