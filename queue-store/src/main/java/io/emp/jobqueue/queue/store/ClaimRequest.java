package io.emp.jobqueue.queue.store;

import io.emp.jobqueue.core.model.WorkerCapabilities;

/**
 * What a worker asks of a claim: the jobs its capabilities allow, at most {@code max} of them (its
 * free slots), looking at no more than {@code scanLimit} entries per service, each leased for {@code leaseMs}.
 */
public record ClaimRequest(WorkerCapabilities caps, int scanLimit, long leaseMs, int max) {
  /** The most jobs one call claims: the script holds Redis for the whole batch. */
  public static final int MAX_BATCH = 64;

  public ClaimRequest {
    if (scanLimit < 1 || leaseMs < 1 || caps == null || caps.services().isEmpty()) {
      throw new IllegalArgumentException("scanLimit, leaseMs >= 1 and services required");
    }
    if (max < 1 || max > MAX_BATCH) {
      throw new IllegalArgumentException("a claim takes 1.." + MAX_BATCH + " jobs, not " + max);
    }
  }
}
