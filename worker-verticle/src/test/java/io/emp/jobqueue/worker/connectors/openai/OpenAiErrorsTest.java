package io.emp.jobqueue.worker.connectors.openai;

import static org.assertj.core.api.Assertions.assertThat;

import io.emp.jobqueue.core.model.Failure;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class OpenAiErrorsTest {
  private static JsonObject err(String type, String code) {
    return new JsonObject().put("message", "m").put("type", type).put("code", code);
  }

  @Test
  void mapsStatusAndCodeToRetryability() {
    MultiMap none = MultiMap.caseInsensitiveMultiMap();
    assertThat(OpenAiErrors.classify(429, err("tokens", "rate_limit_exceeded"), none).kind())
        .isEqualTo(Failure.Kind.RETRYABLE);
    Failure quota = OpenAiErrors.classify(429, err("insufficient_quota", "insufficient_quota"), none);
    assertThat(quota.kind()).isEqualTo(Failure.Kind.PERMANENT);
    assertThat(quota.code()).isEqualTo("insufficient_quota");
    assertThat(OpenAiErrors.classify(500, err("server_error", null), none).kind()).isEqualTo(Failure.Kind.RETRYABLE);
    assertThat(OpenAiErrors.classify(503, err("x", "server_is_overloaded"), none).kind())
        .isEqualTo(Failure.Kind.RETRYABLE);
    assertThat(OpenAiErrors.classify(400, err("invalid_request_error", "invalid_value"), none).type())
        .isEqualTo("validation_error");
    assertThat(OpenAiErrors.classify(400, err("invalid_request_error", "content_policy_violation"), none).type())
        .isEqualTo("generation_refusal");
    assertThat(OpenAiErrors.classify(401, err("invalid_request_error", "invalid_api_key"), none).type())
        .isEqualTo("auth_error");
    assertThat(OpenAiErrors.classify(404, err("invalid_request_error", "model_not_found"), none).kind())
        .isEqualTo(Failure.Kind.PERMANENT);
    assertThat(OpenAiErrors.classify(403, err("invalid_request_error", "unsupported_country_region_territory"), none)
        .type()).isEqualTo("auth_error");
    assertThat(OpenAiErrors.classify(403, err("x", null), none).kind()).isEqualTo(Failure.Kind.PERMANENT);
    assertThat(OpenAiErrors.classify(408, err("x", null), none).kind()).isEqualTo(Failure.Kind.RETRYABLE);
    assertThat(OpenAiErrors.classify(502, new JsonObject(), none).code()).isEqualTo("502");
  }

  @Test
  void xShouldRetryOverridesButNeverRetriesQuota() {
    MultiMap yes = MultiMap.caseInsensitiveMultiMap().add("x-should-retry", "true");
    MultiMap no = MultiMap.caseInsensitiveMultiMap().add("x-should-retry", "false");
    assertThat(OpenAiErrors.classify(400, err("x", null), yes).kind()).isEqualTo(Failure.Kind.RETRYABLE);
    assertThat(OpenAiErrors.classify(500, err("x", null), no).kind()).isEqualTo(Failure.Kind.PERMANENT);
    assertThat(OpenAiErrors.classify(429, err("insufficient_quota", "insufficient_quota"), yes).kind())
        .isEqualTo(Failure.Kind.PERMANENT);
  }

  @Test
  void readsRetryHintsInPreferenceOrder() {
    long now = 1_700_000_000_000L;
    assertThat(OpenAiErrors.serverRetryDelayMs(MultiMap.caseInsensitiveMultiMap()
        .add("retry-after-ms", "250").add("Retry-After", "7"), now)).isEqualTo(250L);
    assertThat(OpenAiErrors.serverRetryDelayMs(MultiMap.caseInsensitiveMultiMap().add("Retry-After", "7"), now))
        .isEqualTo(7_000L);
    assertThat(OpenAiErrors.serverRetryDelayMs(MultiMap.caseInsensitiveMultiMap()
        .add("Retry-After", "Tue, 14 Nov 2023 22:13:30 GMT"), now)).isEqualTo(10_000L);
    assertThat(OpenAiErrors.serverRetryDelayMs(MultiMap.caseInsensitiveMultiMap().add("Retry-After", "600"), now))
        .isNull();
    assertThat(OpenAiErrors.serverRetryDelayMs(MultiMap.caseInsensitiveMultiMap(), now)).isNull();
  }
}
