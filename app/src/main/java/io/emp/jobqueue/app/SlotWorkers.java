package io.emp.jobqueue.app;

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
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

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
  private final JsonObject connectors;
  private final Telemetry telemetry;
  private final StoreConfig store;
  private final Map<String, String> env;

  SlotWorkers(Vertx vertx, JsonObject workerSection, Telemetry telemetry, StoreConfig store, Map<String, String> env) {
    this.vertx = vertx;
    this.workerSection = workerSection;
    this.connectors = workerSection.getJsonObject("connectors", new JsonObject());
    this.telemetry = telemetry;
    this.store = store;
    this.env = env;
  }

  WorkerVerticle create(WorkerSlot slot, MachineInfo machine) {
    List<String> services = SERVICES.get(slot.type());
    if (services == null) {
      throw new IllegalArgumentException("no connector for worker type '" + slot.type() + "'; known: "
          + SERVICES.keySet());
    }
    JsonObject section = workerSection.copy();
    section.remove("connectors");
    section.remove("results_dir");
    section.put("worker_id", slot.workerId()).put("machine_id", machine.machineId())
        .put("services", new JsonArray(services));
    WorkerConfig base = WorkerConfig.from(section);
    WorkerCapabilities caps = base.capabilities().withHardware(machine.workerHardware(slot));
    WorkerConfig cfg = new WorkerConfig(caps, base.concurrency(), base.leaseMs(), base.renewIntervalMs(),
        base.scanLimit(), base.idlePollMs(), base.defaultJobTimeoutMs(), base.progressThrottleMs(),
        base.drainGraceMs());
    FileResultStore results = new FileResultStore(vertx,
        java.nio.file.Path.of(workerSection.getString("results_dir", "data/results")));
    return new WorkerVerticle(cfg, connector(slot), results, telemetry, store);
  }

  private Connector connector(WorkerSlot slot) {
    JsonObject c = connectors.getJsonObject(slot.type(), new JsonObject());
    return switch (slot.type()) {
      case "simulation" -> new SimulationConnector(SimulationConfig.from(c));
      case "comfyui" -> {
        // the machine binds each slot to its own ComfyUI instance (base port + GPU index)
        ComfyUiConfig cu = ComfyUiConfig.from(c);
        Integer port = slot.servicePort() != null ? slot.servicePort()
            : slot.gpu() != null ? Integer.valueOf(cu.port(slot.gpu())) : null;
        if (port != null) {
          cu = ComfyUiConfig.from(c.copy().put("base_port", port).put("port_per_gpu", false));
        }
        yield new ComfyUiConnector(cu);
      }
      case "openai" -> new OpenAiConnector(OpenAiConfig.from(c, env));
      default -> throw new IllegalArgumentException("unknown worker type " + slot.type());
    };
  }
}
