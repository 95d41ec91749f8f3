package io.emp.jobqueue.core.model;

import io.vertx.core.json.JsonObject;

/**
 * Why an attempt failed, as recorded in the job's error chain.
 *
 * @param kind whether the queue may try again
 * @param type a failure type in the reference's vocabulary (timeout, service_error, validation_error,
 *             rate_limit, network_error, resource_limit, auth_error, generation_refusal, system_error, ...)
 * @param reason a finer reason (e.g. gpu_memory_full), may be null
 */
public record Failure(Kind kind, String type, String reason, String message, String code) {

  public enum Kind {
    RETRYABLE, PERMANENT, CANCELLED;

    public String wire() {
      return name().toLowerCase();
    }
  }

  public Failure {
    if (kind == null || type == null) {
      throw new IllegalArgumentException("kind and type are required");
    }
    message = message == null ? "" : message;
  }

  public static Failure retryable(String type, String message) {
    return new Failure(Kind.RETRYABLE, type, null, message, null);
  }

  public static Failure permanent(String type, String message) {
    return new Failure(Kind.PERMANENT, type, null, message, null);
  }

  public static Failure cancelled(String message) {
    return new Failure(Kind.CANCELLED, "cancelled", null, message, null);
  }

  public JsonObject toJson() {
    JsonObject j = new JsonObject().put("kind", kind.wire()).put("type", type).put("message", message);
    if (reason != null) {
      j.put("reason", reason);
    }
    if (code != null) {
      j.put("code", code);
    }
    return j;
  }
}
