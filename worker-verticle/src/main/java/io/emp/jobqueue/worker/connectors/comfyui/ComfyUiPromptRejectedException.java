package io.emp.jobqueue.worker.connectors.comfyui;

import io.emp.jobqueue.core.model.Failure;
import io.emp.jobqueue.worker.spi.ConnectorException;
import io.vertx.core.json.JsonObject;

/**
 * ComfyUI refused the graph ({@code POST /prompt} answered 400; nothing was queued). Permanent: the
 * same graph is refused again. {@link #nodeErrors()} is ComfyUI's per-node detail, normalised to an
 * object (old builds send an empty list).
 */
public final class ComfyUiPromptRejectedException extends ConnectorException {
  private final String errorType;
  private final JsonObject nodeErrors;

  public ComfyUiPromptRejectedException(Failure failure, String errorType, JsonObject nodeErrors) {
    super(failure);
    this.errorType = errorType;
    this.nodeErrors = nodeErrors;
  }

  /** ComfyUI's {@code error.type}, e.g. prompt_outputs_failed_validation, invalid_prompt. */
  public String errorType() {
    return errorType;
  }

  /** node id → {errors:[{type, message, details, extra_info}], dependent_outputs, class_type}. */
  public JsonObject nodeErrors() {
    return nodeErrors.copy();
  }
}
