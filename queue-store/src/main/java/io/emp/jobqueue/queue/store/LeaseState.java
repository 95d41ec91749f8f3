package io.emp.jobqueue.queue.store;

/** Answer to a renew or progress call: the lease holds, and whether someone asked to cancel the job. */
public record LeaseState(boolean cancelRequested) {
}
