package io.emp.jobqueue.queue.store;

import io.emp.jobqueue.core.model.JobQueueException;

/** A live registration of another instance holds this machine id (its TTL has not run out). */
public final class MachineIdTakenException extends JobQueueException {
  private final String machineId;
  private final String holder;
  private final Long lastHeartbeatMs;
  private final long ttlLeftMs;

  public MachineIdTakenException(String machineId, String holder, Long lastHeartbeatMs, long ttlLeftMs) {
    super(Code.CONFLICT, "machine id '" + machineId + "' is registered by another running instance (" + holder
        + ")");
    this.machineId = machineId;
    this.holder = holder;
    this.lastHeartbeatMs = lastHeartbeatMs;
    this.ttlLeftMs = ttlLeftMs;
  }

  public String machineId() {
    return machineId;
  }

  /** The instance token of the registration that holds the id. */
  public String holder() {
    return holder;
  }

  /** Its last heartbeat (ms, the holder's clock), null when unknown. */
  public Long lastHeartbeatMs() {
    return lastHeartbeatMs;
  }

  /** How long its registration lives without another heartbeat. */
  public long ttlLeftMs() {
    return ttlLeftMs;
  }
}
