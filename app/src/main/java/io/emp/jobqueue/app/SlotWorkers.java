package io.emp.jobqueue.app;

import io.emp.jobqueue.core.config.ConfigSection;
import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.machine.MachineInfo;
import io.emp.jobqueue.machine.WorkerSlot;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.emp.jobqueue.worker.FileResultStore;
import io.emp.jobqueue.worker.WorkerConfig;
import io.emp.jobqueue.worker.WorkerVerticle;
import io.emp.jobqueue.worker.spi.Connector;
import io.emp.jobqueue.worker.spi.ConnectorFactory;
import io.emp.jobqueue.worker.spi.ConnectorRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Builds the worker verticle of one machine slot: its identity and hardware from the slot, its
 * connector from the slot's type, everything else from the node's "worker" section.
 */
final class SlotWorkers {
  /** The connector factories on the class path (ServiceLoader): worker type -> connector and services. */
  static final ConnectorRegistry CONNECTORS = ConnectorRegistry.load();

  private final Vertx vertx;
  private final JsonObject workerSection;
  private final Telemetry telemetry;
  private final StoreConfig store;
  private final Map<String, String> env;
  /** Every worker built here, with what built it: a reload derives each one's new settings the same way. */
  private final List<Built> built = new CopyOnWriteArrayList<>();

  private record Built(WorkerSlot slot, MachineInfo machine, WorkerVerticle verticle) {
  }

  SlotWorkers(Vertx vertx, JsonObject workerSection, Telemetry telemetry, StoreConfig store, Map<String, String> env) {
    this.vertx = vertx;
    this.workerSection = workerSection;
    this.telemetry = telemetry;
    this.store = store;
    this.env = env;
  }

  WorkerVerticle create(WorkerSlot slot, MachineInfo machine) {
    ConfigSection section = ConfigSection.of(workerSection, "worker");
    WorkerConfig cfg = slotConfig(section, slot, machine);
    FileResultStore results = new FileResultStore(vertx, resultsDir(section));
    Connector connector = CONNECTORS.factory(slot.type()).create(section.section("connectors").section(slot.type()),
        new ConnectorFactory.Slot(slot.gpu(), slot.servicePort()), env);
    WorkerVerticle v = new WorkerVerticle(cfg, connector, results, telemetry, store);
    built.add(new Built(slot, machine, v));
    return v;
  }

  /** The worker's settings for a slot: the section's, with the slot's identity and hardware. */
  private static WorkerConfig slotConfig(ConfigSection section, WorkerSlot slot, MachineInfo machine) {
    List<String> services = CONNECTORS.factory(slot.type()).services();
    WorkerConfig base = workerConfig(section, slot.workerId(), machine.machineId(), services);
    return base.withCapabilities(base.capabilities().withHardware(machine.workerHardware(slot)));
  }

  /**
   * Applies a reloaded "worker" section to every running worker built here (see
   * {@link WorkerVerticle#reconfigure}); a worker that is gone is skipped.
   */
  Future<List<WorkerVerticle.Reconfigured>> reload(JsonObject newWorkerSection) {
    ConfigSection section = ConfigSection.of(newWorkerSection, "worker");
    List<Future<WorkerVerticle.Reconfigured>> applied = new ArrayList<>();
    for (Built b : built) {
      if (b.verticle().worker() == null) {
        continue;
      }
      applied.add(b.verticle().reconfigure(slotConfig(section, b.slot(), b.machine()),
          section.section("connectors").section(b.slot().type())));
    }
    return Future.join(applied).transform(ar -> Future.succeededFuture(
        applied.stream().filter(Future::succeeded).map(Future::result).toList()));
  }

  /**
   * Reads the "worker" section exactly as {@link #create} does, for every worker type, so that a
   * bad key or value in it stops the launch before anything starts.
   */
  static void check(ConfigSection worker, Map<String, String> env) {
    resultsDir(worker);
    workerConfig(worker, "config-check", "config-check", List.of("config-check"));
    ConfigSection connectors = worker.section("connectors");
    CONNECTORS.types().forEach(type -> CONNECTORS.factory(type).create(connectors.section(type),
        ConnectorFactory.Slot.NONE, env));
  }

  private static java.nio.file.Path resultsDir(ConfigSection worker) {
    return java.nio.file.Path.of(worker.getString("results_dir", "data/results"));
  }

  /** The section's settings with the slot's identity, which the launcher supplies. */
  private static WorkerConfig workerConfig(ConfigSection worker, String workerId, String machineId,
                                           List<String> services) {
    return WorkerConfig.from(worker.with("worker_id", workerId).with("machine_id", machineId)
        .with("services", new JsonArray(services)));
  }
}
