package io.emp.jobqueue.machine;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One planned process: a service spec with its template filled in for a GPU/slot.
 *
 * @param name e.g. comfyui-gpu0, the process and log-file name
 * @param workerType the worker slot type it serves (null for background services)
 */
public record ServiceInstance(String name, ServiceSpec spec, int index, Integer gpu, int port, Binding binding,
                              List<String> argv, Path workdir, Map<String, String> env, String workerType) {
  public ServiceInstance {
    argv = List.copyOf(argv);
    env = Map.copyOf(env);
  }

  /** 127.0.0.1 URL of the health endpoint; null when the service declares none. */
  public String healthUrl() {
    return spec.healthPath() == null ? null : "http://127.0.0.1:" + port + spec.healthPath();
  }

  public JsonObject toJson() {
    JsonObject j = new JsonObject().put("name", name).put("type", spec.type()).put("port", port)
        .put("binding", binding.wire());
    if (gpu != null) {
      j.put("gpu", gpu);
    }
    return j;
  }
}
