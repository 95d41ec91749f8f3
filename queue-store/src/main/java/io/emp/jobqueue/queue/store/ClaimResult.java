package io.emp.jobqueue.queue.store;

import java.util.Optional;

/** The outcome of one claim call; {@code job} is empty when nothing matched. */
public record ClaimResult(Optional<ClaimedJob> job, int jobsEvaluated, long pendingCount) {
}
