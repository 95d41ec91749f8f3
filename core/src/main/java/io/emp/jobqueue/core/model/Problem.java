package io.emp.jobqueue.core.model;

import io.vertx.core.json.JsonObject;

/** One validation problem: which field, a stable machine code, and a human message. */
public record Problem(String field, String code, String message) {
  public JsonObject toJson() {
    return new JsonObject().put("field", field).put("code", code).put("message", message);
  }

  public static Problem fromJson(JsonObject j) {
    return new Problem(j.getString("field"), j.getString("code"), j.getString("message"));
  }
}
