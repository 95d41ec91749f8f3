package io.emp.jobqueue.machine;

import io.vertx.core.Future;

/**
 * Starts and stops the worker of one slot. The machine does not know how a worker is built (the
 * WorkerVerticle, a test worker, a remote process): it only deploys one per slot, bound to that
 * slot's service instance, and undeploys them all, draining, when it stops.
 */
public interface WorkerDeployer {
  /**
   * Deploys the worker for {@code slot}.
   *
   * @param machine the machine the worker runs on: its id (worker.machine_id) and hardware, from which
   *                {@link MachineInfo#workerHardware} derives the worker's capabilities
   * @return an id that {@link #undeploy} accepts
   */
  Future<String> deploy(WorkerSlot slot, MachineInfo machine);

  /** Stops the worker gracefully: it finishes or hands back its in-flight jobs before completing. */
  Future<Void> undeploy(String deploymentId);
}
