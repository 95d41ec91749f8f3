package io.emp.jobqueue.machine;

import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.function.BiFunction;

/** Deploys each slot's worker as a verticle in this Vert.x instance; undeploy runs its stop(), the drain. */
public final class VerticleWorkerDeployer implements WorkerDeployer {
  private final Vertx vertx;
  private final BiFunction<WorkerSlot, MachineInfo, ? extends Deployable> factory;

  /** @param factory builds the worker verticle for a slot on this machine */
  public VerticleWorkerDeployer(Vertx vertx, BiFunction<WorkerSlot, MachineInfo, ? extends Deployable> factory) {
    this.vertx = vertx;
    this.factory = factory;
  }

  @Override
  public Future<String> deploy(WorkerSlot slot, MachineInfo machine) {
    return vertx.deployVerticle(() -> factory.apply(slot, machine), new DeploymentOptions());
  }

  @Override
  public Future<Void> undeploy(String deploymentId) {
    return vertx.undeploy(deploymentId);
  }
}
