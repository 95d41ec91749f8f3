package io.emp.jobqueue.core.model;

/** A fenced operation was refused: the token no longer owns the job. Nothing was changed. */
public final class LeaseLostException extends JobQueueException {
  private final String jobId;
  private final String currentStatus;

  public LeaseLostException(String jobId, String currentStatus) {
    super(Code.LEASE_LOST, "job " + jobId + " is no longer held by this claim (status "
        + (currentStatus == null || currentStatus.isEmpty() ? "unknown" : currentStatus) + ")");
    this.jobId = jobId;
    this.currentStatus = currentStatus;
  }

  public String jobId() {
    return jobId;
  }

  public String currentStatus() {
    return currentStatus;
  }
}
