package io.emp.jobqueue.queue.store;

/**
 * What a cancel did, and for a running job which worker holds it (so the caller can signal that
 * worker at once; {@code workerId} is null when the job was waiting).
 */
public record Cancellation(CancelOutcome outcome, String workerId) {
}
