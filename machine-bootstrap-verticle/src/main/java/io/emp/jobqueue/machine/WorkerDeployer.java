package io.emp.jobqueue.machine;

import io.vertx.core.Future;
import java.util.List;
import java.util.function.Consumer;

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

  /**
   * Deploys one worker per slot, one after the other (a failure stops there), passing each
   * deployment id to {@code deployed} as it is made so that a failed start can still undeploy them.
   */
  default Future<Void> deployAll(List<WorkerSlot> slots, MachineInfo machine, Consumer<String> deployed) {
    Future<Void> chain = Future.succeededFuture();
    for (WorkerSlot slot : slots) {
      chain = chain.compose(v -> deploy(slot, machine).map(id -> {
        deployed.accept(id);
        return null;
      }));
    }
    return chain;
  }

  /** Stops the worker gracefully: it finishes or hands back its in-flight jobs before completing. */
  Future<Void> undeploy(String deploymentId);
}
