package io.emp.jobqueue.machine;

import io.vertx.core.json.JsonObject;

/**
 * One worker the machine runs. {@code gpu} is the (real or simulated) GPU index for GPU-bound slots;
 * {@code servicePort} is the port of the service instance the worker talks to, once bound (null: none).
 */
public record WorkerSlot(String workerId, String type, int index, Binding binding, Integer gpu,
                         Integer servicePort) {
  public WorkerSlot withServicePort(Integer port) {
    return new WorkerSlot(workerId, type, index, binding, gpu, port);
  }

  public JsonObject toJson() {
    JsonObject j = new JsonObject().put("worker_id", workerId).put("type", type).put("index", index)
        .put("binding", binding.wire());
    if (gpu != null) {
      j.put("gpu", gpu);
    }
    if (servicePort != null) {
      j.put("service_port", servicePort);
    }
    return j;
  }
}
