package io.emp.jobqueue.worker.connectors.openai;

import io.emp.jobqueue.core.model.Failure;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * OpenAI status + error body → retryable or permanent {@link Failure}, and the server's retry hint.
 * Decided from the status, the error {@code code}/{@code type} fields and {@code x-should-retry},
 * never from message text.
 */
public final class OpenAiErrors {
  private OpenAiErrors() {
  }

  /** The {@code error} object of an OpenAI error body, or an empty object when absent or not JSON. */
  public static JsonObject errorObject(String body) {
    if (body == null || body.isBlank()) {
      return new JsonObject();
    }
    try {
      Object e = new JsonObject(body).getValue("error");
      return e instanceof JsonObject o ? o : new JsonObject();
    } catch (RuntimeException notJson) {
      return new JsonObject();
    }
  }

  public static Failure classify(int status, JsonObject error, MultiMap headers) {
    String code = error.getString("code");
    String type = error.getString("type");
    String message = error.getString("message", "HTTP " + status);
    String errorCode = code != null ? code : type != null ? type : Integer.toString(status);
    Failure f = byStatus(status, code, type, message, errorCode);
    String should = headers == null ? null : headers.get("x-should-retry");
    // The server's explicit verdict beats the status table, except that a quota problem is never retried.
    if ("true".equalsIgnoreCase(should) && !"insufficient_quota".equals(code)) {
      return new Failure(Failure.Kind.RETRYABLE, f.type(), f.reason(), f.message(), f.code());
    }
    if ("false".equalsIgnoreCase(should)) {
      return new Failure(Failure.Kind.PERMANENT, f.type(), f.reason(), f.message(), f.code());
    }
    return f;
  }

  private static Failure byStatus(int status, String code, String type, String message, String errorCode) {
    if (status == 429) {
      if ("insufficient_quota".equals(code) || "insufficient_quota".equals(type)) {
        return new Failure(Failure.Kind.PERMANENT, "quota_exceeded", "insufficient_quota", message, errorCode);
      }
      return new Failure(Failure.Kind.RETRYABLE, "rate_limit", code, message, errorCode);
    }
    if (status == 408 || status == 409) {
      return new Failure(Failure.Kind.RETRYABLE, "timeout", code, message, errorCode);
    }
    if (status >= 500) {
      return new Failure(Failure.Kind.RETRYABLE, "service_error", code, message, errorCode);
    }
    if (status == 401 || status == 403) {
      return new Failure(Failure.Kind.PERMANENT, "auth_error", code, message, errorCode);
    }
    if (status == 400 && "content_policy_violation".equals(code)) {
      return new Failure(Failure.Kind.PERMANENT, "generation_refusal", code, message, errorCode);
    }
    return new Failure(Failure.Kind.PERMANENT, "validation_error", code, message, errorCode);
  }

  /**
   * The wait the server asks for: {@code retry-after-ms}, else {@code Retry-After} in seconds or as an
   * HTTP date; null when absent, unparseable or outside 0..{@link OpenAiConfig#MAX_RETRY_AFTER_MS}.
   */
  public static Long serverRetryDelayMs(MultiMap headers, long nowMs) {
    if (headers == null) {
      return null;
    }
    Long ms = null;
    String retryAfterMs = headers.get("retry-after-ms");
    if (retryAfterMs != null) {
      try {
        ms = (long) Double.parseDouble(retryAfterMs.trim());
      } catch (NumberFormatException ignored) {
        ms = null;
      }
    }
    String retryAfter = headers.get("retry-after");
    if (ms == null && retryAfter != null) {
      try {
        ms = (long) (Double.parseDouble(retryAfter.trim()) * 1000);
      } catch (NumberFormatException notSeconds) {
        try {
          ms = ZonedDateTime.parse(retryAfter.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant()
              .toEpochMilli() - nowMs;
        } catch (DateTimeParseException notDate) {
          ms = null;
        }
      }
    }
    return ms == null || ms < 0 || ms > OpenAiConfig.MAX_RETRY_AFTER_MS ? null : ms;
  }
}
