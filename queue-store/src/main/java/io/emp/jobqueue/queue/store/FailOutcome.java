package io.emp.jobqueue.queue.store;

/** What a failed attempt led to. {@code dueAt} is set for RETRY_SCHEDULED. */
public record FailOutcome(Kind kind, Long dueAt) {
  public enum Kind { RETRY_SCHEDULED, FAILED, CANCELLED }
}
