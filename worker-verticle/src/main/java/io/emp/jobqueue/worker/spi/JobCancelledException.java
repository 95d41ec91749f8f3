package io.emp.jobqueue.worker.spi;

import io.emp.jobqueue.core.model.Failure;

/** The job's work was stopped on request (client cancel, interrupt). Never retried. */
public final class JobCancelledException extends ConnectorException {
  public JobCancelledException(String message) {
    super(Failure.cancelled(message));
  }
}
