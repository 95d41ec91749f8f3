package io.emp.jobqueue.worker;

/** How one attempt of a job ended, from the worker's side. */
public enum AttemptEnd {
  /** complete() accepted. */
  COMPLETED,
  /** fail() scheduled another attempt (includes timeouts). */
  RETRY_SCHEDULED,
  /** fail() ended the job for good (permanent failure or retries used up). */
  FAILED,
  /** The job was cancelled on request. */
  CANCELLED,
  /** Another claim owns the job now; nothing was written. */
  LEASE_LOST,
  /** Handed back to its queue without counting the attempt (the worker is draining). */
  RELEASED,
  /** The final store call failed (Redis unreachable): the lease runs out and the reaper retries the job. */
  STORE_ERROR
}
