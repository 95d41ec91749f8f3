package io.emp.jobqueue.core.model;

import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * Hardware figures. On a job these are minimums; on a worker they are what it has.
 * A null field means "no demand" (job) or "unknown" (worker: then any demand on it fails).
 */
public record Hardware(Double gpuCount, Double gpuMemoryGb, Double cpuCores, Double ramGb) {
  public static final Hardware NONE = new Hardware(null, null, null, null);
  static final Set<String> FIELDS = Set.of("gpu_count", "gpu_memory_gb", "cpu_cores", "ram_gb");

  public static Hardware read(JsonReader r) {
    if (r == null) {
      return NONE;
    }
    r.rejectUnknown(FIELDS);
    return new Hardware(r.number("gpu_count", 0, 1024), r.number("gpu_memory_gb", 0, 1e6),
        r.number("cpu_cores", 0, 1e5), r.number("ram_gb", 0, 1e7));
  }

  public boolean isEmpty() {
    return gpuCount == null && gpuMemoryGb == null && cpuCores == null && ramGb == null;
  }

  public JsonObject toJson() {
    JsonObject j = new JsonObject();
    putIf(j, "gpu_count", gpuCount);
    putIf(j, "gpu_memory_gb", gpuMemoryGb);
    putIf(j, "cpu_cores", cpuCores);
    putIf(j, "ram_gb", ramGb);
    return j;
  }

  private static void putIf(JsonObject j, String k, Double v) {
    if (v != null) {
      j.put(k, v);
    }
  }
}
