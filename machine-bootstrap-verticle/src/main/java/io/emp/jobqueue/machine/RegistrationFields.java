package io.emp.jobqueue.machine;

import io.emp.jobqueue.core.telemetry.Version;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The fields of a machine's and its workers' registrations (what GET /api/machines and /api/workers show). */
final class RegistrationFields {
  private RegistrationFields() {
  }

  /** This machine as it is now; {@code startupDurationMs} -1 while it is still starting. */
  record Machine(MachineConfig cfg, HardwareInfo hardware, List<WorkerSlot> slots, String healthUrl, long startedAt,
                 String nodeId, JsonObject health, long startupDurationMs) {
    Map<String, String> fields(String status) {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("machine_id", cfg.machineId());
      m.put("profile", cfg.profile().name());
      m.put("machine_type", cfg.profile().machineType());
      m.put("workers_spec", cfg.profile().workers());
      m.put("gpu_count", Integer.toString(hardware.gpuCount()));
      m.put("cpu_cores", Integer.toString(hardware.cpuCores()));
      m.put("ram_gb", Double.toString(hardware.ramGb()));
      m.put("disk_gb", Double.toString(hardware.diskGb()));
      m.put("worker_ids", new JsonArray(slots.stream().map(WorkerSlot::workerId).toList()).encode());
      m.put("health_url", healthUrl);
      m.put("started_at", Long.toString(startedAt));
      m.put("version", Version.current());
      m.put("status", status);
      m.put("node_id", nodeId);
      m.put("services", new JsonArray(slots.stream().map(WorkerSlot::type).distinct().toList()).encode());
      m.put("slots_total", Integer.toString(slots.size()));
      m.put("health", health.encode());
      if (startupDurationMs >= 0) {
        m.put("startup_duration_ms", Long.toString(startupDurationMs));
      }
      return m;
    }
  }

  static Map<String, Map<String, String>> workers(String machineId, List<WorkerSlot> slots) {
    Map<String, Map<String, String>> w = new LinkedHashMap<>();
    for (WorkerSlot s : slots) {
      Map<String, String> f = new LinkedHashMap<>();
      f.put("worker_id", s.workerId());
      f.put("machine_id", machineId);
      f.put("type", s.type());
      f.put("binding", s.binding().wire());
      f.put("gpu", s.gpu() == null ? "" : s.gpu().toString());
      f.put("service_port", s.servicePort() == null ? "" : s.servicePort().toString());
      f.put("services", new JsonArray(List.of(s.type())).encode());
      f.put("registered_at", Long.toString(System.currentTimeMillis()));
      w.put(s.workerId(), f);
    }
    return w;
  }
}
