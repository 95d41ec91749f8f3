package io.emp.jobqueue.worker.connectors.comfyui;

import io.emp.jobqueue.core.model.Failure;
import io.emp.jobqueue.worker.spi.ConnectorException;

/** A node raised during execution ({@code execution_error}); the failure says whether a retry can help. */
public final class ComfyUiExecutionException extends ConnectorException {
  private final String nodeId;
  private final String nodeType;
  private final String exceptionType;

  public ComfyUiExecutionException(Failure failure, String nodeId, String nodeType, String exceptionType) {
    super(failure);
    this.nodeId = nodeId;
    this.nodeType = nodeType;
    this.exceptionType = exceptionType;
  }

  public String nodeId() {
    return nodeId;
  }

  public String nodeType() {
    return nodeType;
  }

  /** Python exception class, e.g. torch.OutOfMemoryError. */
  public String exceptionType() {
    return exceptionType;
  }
}
