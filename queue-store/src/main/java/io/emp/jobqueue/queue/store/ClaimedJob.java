package io.emp.jobqueue.queue.store;

import io.emp.jobqueue.core.model.Job;

/**
 * A job now owned by the claiming worker until its lease runs out.
 *
 * @param token the fencing token every later call for this attempt must present
 * @param jobsEvaluated queue entries the claim script looked at (matching.jobs_evaluated)
 * @param pendingAfter jobs still pending in the worker's services (queue.jobs_pending)
 * @param claimedAt Redis server time of the claim, ms
 */
public record ClaimedJob(Job job, String token, int jobsEvaluated, long pendingAfter, long claimedAt) {
  /** queue.wait_time_ms: from creation to this claim. */
  public long waitMs() {
    return Math.max(0, claimedAt - job.createdAt());
  }
}
