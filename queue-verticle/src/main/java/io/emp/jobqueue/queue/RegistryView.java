package io.emp.jobqueue.queue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The registry's hashes (machine and worker registrations, all strings) as the API shows them
 * (GET /api/machines, GET /api/workers; docs/api.md): numbers as numbers, lists as lists.
 */
final class RegistryView {
  private RegistryView() {
  }

  static JsonObject machines(List<JsonObject> hashes) {
    JsonArray out = new JsonArray();
    hashes.forEach(h -> out.add(machine(h)));
    return new JsonObject().put("machines", out);
  }

  static JsonObject workers(List<JsonObject> hashes) {
    JsonArray out = new JsonArray();
    hashes.forEach(h -> out.add(worker(h)));
    return new JsonObject().put("workers", out);
  }

  static JsonObject machine(JsonObject h) {
    String status = h.getString("status");
    return new JsonObject()
        .put("machine_id", h.getString("machine_id", h.getString("_id")))
        .put("profile", h.getString("profile"))
        .put("machine_type", h.getString("machine_type"))
        .put("status", status)
        .put("node_id", h.getString("node_id"))
        .put("gpus", num(h, "gpu_count", 0L))
        .put("cpu_cores", num(h, "cpu_cores", null))
        .put("services", list(h, "services"))
        .put("worker_ids", list(h, "worker_ids"))
        .put("slots_busy", num(h, "slots_busy", 0L))
        .put("slots_total", num(h, "slots_total", 0L))
        .put("current_jobs", list(h, "current_jobs"))
        .put("last_heartbeat", num(h, "last_heartbeat", null))
        .put("started_at", num(h, "started_at", null))
        .put("startup_duration_ms", num(h, "startup_duration_ms", null))
        .put("health", obj(h, "health"))
        .put("draining", "draining".equals(status) || "true".equals(h.getString("draining"))
            || h.getString("drain_requested_at") != null)
        .put("version", h.getString("version"));
  }

  static JsonObject worker(JsonObject h) {
    String current = h.getString("current_job_id");
    return new JsonObject()
        .put("worker_id", h.getString("worker_id", h.getString("_id")))
        .put("machine_id", h.getString("machine_id"))
        .put("type", h.getString("type"))
        .put("services", list(h, "services"))
        .put("status", h.getString("status", "idle"))
        .put("current_job_id", current == null || current.isEmpty() ? null : current)
        .put("running_jobs", list(h, "running_jobs"))
        .put("last_heartbeat", num(h, "last_heartbeat", null))
        .put("registered_at", num(h, "registered_at", null))
        .put("capabilities", obj(h, "capabilities"));
  }

  private static Long num(JsonObject h, String k, Long dflt) {
    String v = h.getString(k);
    if (v == null || v.isEmpty()) {
      return dflt;
    }
    try {
      return (long) Double.parseDouble(v);
    } catch (NumberFormatException e) {
      return dflt;
    }
  }

  private static JsonArray list(JsonObject h, String k) {
    String v = h.getString(k);
    if (v == null || !v.startsWith("[")) {
      return new JsonArray();
    }
    try {
      return new JsonArray(v);
    } catch (RuntimeException e) {
      return new JsonArray();
    }
  }

  private static JsonObject obj(JsonObject h, String k) {
    String v = h.getString(k);
    if (v == null || !v.startsWith("{")) {
      return new JsonObject();
    }
    try {
      return new JsonObject(v);
    } catch (RuntimeException e) {
      return new JsonObject();
    }
  }
}
