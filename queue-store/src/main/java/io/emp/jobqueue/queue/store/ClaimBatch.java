package io.emp.jobqueue.queue.store;

import java.util.List;

/**
 * The outcome of one claim call for up to N jobs: the jobs in the order they were claimed (empty
 * when nothing matched), each with its own token and lease.
 *
 * @param jobsEvaluated queue entries the claim looked at, for all its jobs
 * @param pendingCount jobs still pending in the worker's services after the claim
 */
public record ClaimBatch(List<ClaimedJob> jobs, int jobsEvaluated, long pendingCount) {
  public ClaimBatch {
    jobs = List.copyOf(jobs);
  }
}
