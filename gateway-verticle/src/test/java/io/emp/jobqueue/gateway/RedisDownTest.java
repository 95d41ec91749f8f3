package io.emp.jobqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** With Redis gone, the API answers 503 with Retry-After instead of hanging or leaking internals. */
class RedisDownTest extends GatewayTestSupport {

  @BeforeAll
  static void start() {
    startStack(new JsonObject().put("queue_timeout_ms", 5_000).put("retry_after_seconds", 7));
  }

  @Test
  void submitAndReadinessAnswer503WithRetryAfter() {
    String svc = newService();
    submitHttp(KEY_A, new JsonObject().put("service_required", svc));
    assertThat(get(http.get(port(), "127.0.0.1", "/ready").send()).statusCode()).isEqualTo(200);

    redisServer.kill();

    var res = get(http.post(port(), "127.0.0.1", "/api/jobs").bearerTokenAuthentication(KEY_A)
        .sendJsonObject(new JsonObject().put("service_required", svc)));
    assertThat(res.statusCode()).isEqualTo(503);
    assertThat(res.getHeader("Retry-After")).isEqualTo("7");
    JsonObject err = res.bodyAsJsonObject().getJsonObject("error");
    assertThat(err.getString("code")).isEqualTo("unavailable");
    assertThat(res.bodyAsString()).doesNotContain("Exception");

    var ready = get(http.get(port(), "127.0.0.1", "/ready").send());
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.getHeader("Retry-After")).isEqualTo("7");
    assertThat(get(http.get(port(), "127.0.0.1", "/health").send()).statusCode()).isEqualTo(200);
  }
}
