package io.emp.jobqueue.queue.store;

/**
 * The outcome of a completion that also claimed the worker's next jobs in the same call.
 *
 * @param completedAt the completion time (Redis clock, ms)
 * @param next what the claim took (no jobs when nothing matched)
 */
public record CompletedAndClaimed(long completedAt, ClaimBatch next) {
}
