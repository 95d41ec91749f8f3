package io.emp.jobqueue.machine;

import io.emp.jobqueue.core.telemetry.Telemetry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * Runs one machine: startup phases on deploy, drain and shutdown on undeploy. All logic lives in
 * {@link MachineBootstrap}; the worker implementation comes in through {@link WorkerDeployer}.
 */
public final class MachineBootstrapVerticle extends VerticleBase {
  private final MachineConfig cfg;
  private final Telemetry telemetry;
  private final WorkerDeployer deployer;
  private MachineBootstrap machine;

  public MachineBootstrapVerticle(MachineConfig cfg, Telemetry telemetry, WorkerDeployer deployer) {
    this.cfg = cfg;
    this.telemetry = telemetry;
    this.deployer = deployer;
  }

  /** The running machine (after deployment). */
  public MachineBootstrap machine() {
    return machine;
  }

  @Override
  public Future<?> start() {
    machine = new MachineBootstrap(vertx, cfg, telemetry, deployer);
    return machine.start();
  }

  @Override
  public Future<?> stop() {
    return machine.stop();
  }
}
