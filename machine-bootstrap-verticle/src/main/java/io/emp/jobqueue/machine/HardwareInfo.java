package io.emp.jobqueue.machine;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** What the machine has. {@code diskGb} is the free space of the work directory's file store. */
public record HardwareInfo(List<Gpu> gpus, int cpuCores, double ramGb, double diskGb) {
  /** One GPU as nvidia-smi reports it. */
  public record Gpu(int index, String name, long memoryMb) {
  }

  public HardwareInfo {
    gpus = List.copyOf(gpus);
  }

  public int gpuCount() {
    return gpus.size();
  }

  /** The smallest card's memory, the figure a job's gpu_memory_gb minimum must fit; null without GPUs. */
  public Double minGpuMemoryGb() {
    return gpus.isEmpty() ? null
        : Math.round(gpus.stream().mapToLong(Gpu::memoryMb).min().orElse(0) / 1024.0 * 10) / 10.0;
  }

  public JsonObject toJson() {
    JsonArray g = new JsonArray();
    gpus.forEach(x -> g.add(new JsonObject().put("index", x.index()).put("name", x.name())
        .put("memory_mb", x.memoryMb())));
    return new JsonObject().put("gpus", g).put("gpu_count", gpuCount()).put("cpu_cores", cpuCores)
        .put("ram_gb", ramGb).put("disk_gb", diskGb);
  }
}
