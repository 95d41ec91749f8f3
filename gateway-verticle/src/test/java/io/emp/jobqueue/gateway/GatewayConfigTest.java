package io.emp.jobqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emp.jobqueue.core.http.HttpTimeouts;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatewayConfigTest {

  @Test
  void deadlinesAndOriginsAreSettingsWithNamedDefaults() {
    GatewayConfig dflt = GatewayConfig.defaults();
    assertThat(dflt.timeouts()).isEqualTo(HttpTimeouts.DEFAULTS);
    assertThat(dflt.allowedOrigins()).isEmpty();
    GatewayConfig set = GatewayConfig.from(new JsonObject().put("idle_timeout_ms", 30_000)
        .put("request_header_timeout_ms", 5_000).put("request_body_timeout_ms", 20_000)
        .put("allowed_origins", new JsonArray().add("https://dash.example:8443")), Map.of());
    assertThat(set.timeouts()).isEqualTo(new HttpTimeouts(30_000, 5_000, 20_000));
    assertThat(set.allowedOrigins()).containsExactly("https://dash.example:8443");
    assertThat(set.withPort(1).timeouts()).isEqualTo(set.timeouts());
  }

  @Test
  void batchLimitsAreSettingsWithNamedDefaults() {
    GatewayConfig dflt = GatewayConfig.defaults();
    assertThat(dflt.batchMaxJobs()).isEqualTo(GatewayConfig.DEFAULT_BATCH_MAX_JOBS).isEqualTo(1_000);
    assertThat(dflt.batchBodyLimitBytes()).isEqualTo(GatewayConfig.DEFAULT_BATCH_BODY_LIMIT_BYTES)
        .isGreaterThan(dflt.bodyLimitBytes());
    GatewayConfig set = GatewayConfig.from(new JsonObject().put("batch_max_jobs", 10)
        .put("batch_body_limit_bytes", 4096), Map.of());
    assertThat(set.batchMaxJobs()).isEqualTo(10);
    assertThat(set.batchBodyLimitBytes()).isEqualTo(4096);
    assertThat(set.withPort(1).batchMaxJobs()).isEqualTo(10);
    assertThatThrownBy(() -> GatewayConfig.from(new JsonObject().put("batch_max_jobs", 0), Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void badValuesAreRefused() {
    assertThatThrownBy(() -> GatewayConfig.from(new JsonObject().put("allowed_origins",
        new JsonArray().add("dash.example")), Map.of())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GatewayConfig.from(new JsonObject().put("allowed_origins",
        new JsonArray().add("https://dash.example/path")), Map.of())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GatewayConfig.from(new JsonObject().put("request_header_timeout_ms", 0), Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GatewayConfig.from(new JsonObject().put("idle_timeout_ms", 4_000), Map.of()))
        .as("the 5 s heartbeat would not keep sockets from idling out").isInstanceOf(IllegalArgumentException.class);
  }
}
