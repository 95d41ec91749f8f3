package io.emp.jobqueue.machine;

import io.emp.jobqueue.core.model.JobQueueException;

/** A supervised service did not become healthy. */
public final class ServiceStartException extends JobQueueException {
  private final String service;

  public ServiceStartException(String service, String message) {
    super(Code.UNAVAILABLE, "service " + service + ": " + message);
    this.service = service;
  }

  public String service() {
    return service;
  }
}
