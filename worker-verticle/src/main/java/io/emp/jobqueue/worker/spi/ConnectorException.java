package io.emp.jobqueue.worker.spi;

import io.emp.jobqueue.core.model.Failure;

/** A backend failure that already knows whether it may be retried. */
public class ConnectorException extends RuntimeException {
  private final Failure failure;

  public ConnectorException(Failure failure) {
    super(failure.message());
    this.failure = failure;
  }

  public ConnectorException(Failure failure, Throwable cause) {
    super(failure.message(), cause);
    this.failure = failure;
  }

  public Failure failure() {
    return failure;
  }
}
