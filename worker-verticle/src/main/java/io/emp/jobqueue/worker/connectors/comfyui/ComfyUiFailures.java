package io.emp.jobqueue.worker.connectors.comfyui;

import io.emp.jobqueue.core.model.Failure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * ComfyUI's error shapes → typed exceptions. Decided from the structured fields (error.type,
 * node error types, exception_type), never from message text.
 */
public final class ComfyUiFailures {
  private ComfyUiFailures() {
  }

  /** Python exception classes whose failure says nothing about the graph: retrying can succeed. */
  private static final List<String> TRANSIENT_SUFFIXES = List.of("OutOfMemoryError", "ConnectionError",
      "TimeoutError", "ReadTimeout", "ConnectTimeout");

  /** A 400 answer to POST /prompt, in the new (object) or old (string error, list node_errors) shape. */
  public static ComfyUiPromptRejectedException rejected(JsonObject body) {
    Object err = body.getValue("error");
    String errorType = "invalid_prompt";
    String message = "prompt rejected by ComfyUI";
    if (err instanceof JsonObject e) {
      errorType = e.getString("type", errorType);
      message = e.getString("message", message);
      String details = e.getString("details");
      if (details != null && !details.isBlank()) {
        message = message + ": " + details;
      }
    } else if (err instanceof String s) {
      message = s;
    }
    JsonObject nodeErrors = body.getValue("node_errors") instanceof JsonObject n ? n : new JsonObject();
    List<String> parts = new ArrayList<>();
    String firstNodeErrorType = null;
    for (String nodeId : nodeErrors.fieldNames()) {
      JsonObject ne = nodeErrors.getValue(nodeId) instanceof JsonObject o ? o : new JsonObject();
      JsonArray errors = ne.getValue("errors") instanceof JsonArray a ? a : new JsonArray();
      for (Object o : errors) {
        if (o instanceof JsonObject one) {
          firstNodeErrorType = firstNodeErrorType == null ? one.getString("type") : firstNodeErrorType;
          parts.add("node " + nodeId + " (" + ne.getString("class_type", "?") + "): " + one.getString("type")
              + ": " + one.getString("details", one.getString("message", "")));
        }
      }
    }
    String full = parts.isEmpty() ? message : message + "; " + String.join("; ", parts);
    Failure f = new Failure(Failure.Kind.PERMANENT, "validation_error",
        firstNodeErrorType != null ? firstNodeErrorType : errorType, full, errorType);
    return new ComfyUiPromptRejectedException(f, errorType, nodeErrors);
  }

  /** An {@code execution_error} event's data (also found in the history's status messages). */
  public static ComfyUiExecutionException executionError(JsonObject data) {
    String exType = data.getString("exception_type", "unknown");
    String nodeId = data.getValue("node_id") == null ? null : String.valueOf(data.getValue("node_id"));
    String nodeType = data.getString("node_type");
    String message = "node " + nodeId + " (" + nodeType + ") raised " + exType + ": "
        + data.getString("exception_message", "").trim();
    Failure f;
    if (exType.endsWith("OutOfMemoryError")) {
      // VRAM pressure depends on what else the GPU holds; another attempt (maybe another worker) can fit.
      f = new Failure(Failure.Kind.RETRYABLE, "resource_limit", "gpu_memory_full", message, exType);
    } else if (TRANSIENT_SUFFIXES.stream().anyMatch(exType::endsWith)) {
      f = new Failure(Failure.Kind.RETRYABLE, "service_error", "transient_execution_error", message, exType);
    } else {
      // A node that raised on these inputs raises again on the same inputs.
      f = new Failure(Failure.Kind.PERMANENT, "service_error", "execution_error", message, exType);
    }
    return new ComfyUiExecutionException(f, nodeId, nodeType, exType);
  }
}
