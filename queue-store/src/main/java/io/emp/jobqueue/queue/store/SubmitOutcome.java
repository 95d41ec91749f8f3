package io.emp.jobqueue.queue.store;

/**
 * One job's outcome in a {@link JobStore#submitAll} batch: its {@link SubmitResult}, or why it was
 * refused (a typed {@code JobQueueException}, e.g. QUEUE_FULL), the other jobs of the batch unaffected.
 */
public record SubmitOutcome(SubmitResult result, Throwable error) {
  public SubmitOutcome {
    if ((result == null) == (error == null)) {
      throw new IllegalArgumentException("exactly one of result and error");
    }
  }

  public static SubmitOutcome of(SubmitResult result) {
    return new SubmitOutcome(result, null);
  }

  public static SubmitOutcome failed(Throwable error) {
    return new SubmitOutcome(null, error);
  }

  public boolean succeeded() {
    return result != null;
  }
}
