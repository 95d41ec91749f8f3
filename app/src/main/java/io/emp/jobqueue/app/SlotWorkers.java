package io.emp.jobqueue.app;

import io.emp.jobqueue.core.config.ConfigSection;
import io.emp.jobqueue.core.model.WorkerCapabilities;
import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.machine.MachineInfo;
import io.emp.jobqueue.machine.WorkerSlot;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.emp.jobqueue.worker.FileResultStore;
import io.emp.jobqueue.worker.WorkerConfig;
import io.emp.jobqueue.worker.WorkerVerticle;
import io.emp.jobqueue.worker.connectors.comfyui.ComfyUiConfig;
import io.emp.jobqueue.worker.connectors.comfyui.ComfyUiConnector;
import io.emp.jobqueue.worker.connectors.openai.OpenAiConfig;
import io.emp.jobqueue.worker.connectors.openai.OpenAiConnector;
import io.emp.jobqueue.worker.simulation.SimulationConfig;
import io.emp.jobqueue.worker.simulation.SimulationConnector;
import io.emp.jobqueue.worker.spi.Connector;
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
  /** Worker type -> the service_required values it serves. */
  static final Map<String, List<String>> SERVICES = Map.of(
      "simulation", List.of("simulation"),
      "comfyui", List.of("comfyui"),
      "openai", List.of("openai", "openai_text", "openai_image"));

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
    WorkerVerticle v = new WorkerVerticle(cfg, connector(slot.type(), slot.gpu(), slot.servicePort(),
        section.section("connectors").section(slot.type()), env), results, telemetry, store);
    built.add(new Built(slot, machine, v));
    return v;
  }

  /** The worker's settings for a slot: the section's, with the slot's identity and hardware. */
  private static WorkerConfig slotConfig(ConfigSection section, WorkerSlot slot, MachineInfo machine) {
    List<String> services = SERVICES.get(slot.type());
    if (services == null) {
      throw new IllegalArgumentException("no connector for worker type '" + slot.type() + "'; known: "
          + SERVICES.keySet());
    }
    WorkerConfig base = workerConfig(section, slot.workerId(), machine.machineId(), services);
    WorkerCapabilities caps = base.capabilities().withHardware(machine.workerHardware(slot));
    return new WorkerConfig(caps, base.concurrency(), base.leaseMs(), base.renewIntervalMs(),
        base.scanLimit(), base.idlePollMs(), base.defaultJobTimeoutMs(), base.progressThrottleMs(),
        base.drainGraceMs());
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
    workerConfig(worker, "config-check", "config-check", SERVICES.get("simulation"));
    ConfigSection connectors = worker.section("connectors");
    SERVICES.keySet().forEach(type -> connector(type, null, null, connectors.section(type), env));
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

  private static Connector connector(String type, Integer gpu, Integer servicePort, ConfigSection c,
                                     Map<String, String> env) {
    return switch (type) {
      case "simulation" -> new SimulationConnector(SimulationConfig.from(c));
      case "comfyui" -> {
        // the machine binds each slot to its own ComfyUI instance (base port + GPU index)
        ComfyUiConfig cu = ComfyUiConfig.from(c);
        Integer port = servicePort != null ? servicePort : gpu != null ? Integer.valueOf(cu.port(gpu)) : null;
        if (port != null) {
          cu = ComfyUiConfig.from(c.with("base_port", port).with("port_per_gpu", false));
        }
        yield new ComfyUiConnector(cu);
      }
      case "openai" -> new OpenAiConnector(OpenAiConfig.from(c, env));
      default -> throw new IllegalArgumentException("unknown worker type " + type);
    };
  }
}
