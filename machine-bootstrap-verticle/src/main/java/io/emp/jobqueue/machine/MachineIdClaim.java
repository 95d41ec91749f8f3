package io.emp.jobqueue.machine;

import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.queue.store.MachineIdTakenException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.function.Supplier;

/**
 * Registers a machine, refusing to start when another running machine holds the same id (they would
 * share worker ids and remove each other's registrations). A registration that is still there but no
 * longer beats is a crashed predecessor of this machine: it is waited out (at most its TTL). One that
 * beats while we wait is a live duplicate.
 */
final class MachineIdClaim {
  private static final System.Logger LOG = System.getLogger(MachineIdClaim.class.getName());

  private final Vertx vertx;
  private final String machineId;
  private final long heartbeatIntervalMs;
  private final Supplier<Future<Void>> register;

  MachineIdClaim(Vertx vertx, String machineId, long heartbeatIntervalMs, Supplier<Future<Void>> register) {
    this.vertx = vertx;
    this.machineId = machineId;
    this.heartbeatIntervalMs = heartbeatIntervalMs;
    this.register = register;
  }

  Future<Void> claim(long deadline) {
    return attempt(null, deadline);
  }

  private Future<Void> attempt(Long firstBeat, long deadline) {
    return register.get().recover(err -> {
      if (!(err instanceof MachineIdTakenException taken)) {
        return Future.failedFuture(err);
      }
      Long beat = taken.lastHeartbeatMs();
      boolean beating = firstBeat != null && beat != null && !beat.equals(firstBeat);
      if (beating || System.currentTimeMillis() >= deadline) {
        return Future.failedFuture(new JobQueueException(JobQueueException.Code.CONFLICT, "machine id '"
            + machineId + "' is already in use by another running machine (it keeps sending heartbeats to "
            + "Redis); give each machine its own id with EMP_MACHINE_ID (config machine.machine_id; the default "
            + "is the host name)"));
      }
      if (firstBeat == null) {
        LOG.log(System.Logger.Level.INFO, "machine id " + machineId + " is still registered by another "
            + "instance; waiting up to " + (deadline - System.currentTimeMillis()) / 1000 + " s to see whether it "
            + "is a crashed run of this machine (its registration expires) or a live duplicate (it beats)");
      }
      long poll = Math.max(50, Math.min(1_000, heartbeatIntervalMs / 2));
      Promise<Void> later = Promise.promise();
      vertx.setTimer(poll, t -> later.complete());
      return later.future().compose(v -> attempt(firstBeat == null ? beat : firstBeat, deadline));
    });
  }
}
