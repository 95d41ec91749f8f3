package io.emp.jobqueue.queue.store;

/** CANCELLED: the job was waiting and is now cancelled. REQUESTED: it is running; its worker is told to stop. */
public enum CancelOutcome {
  CANCELLED, REQUESTED
}
