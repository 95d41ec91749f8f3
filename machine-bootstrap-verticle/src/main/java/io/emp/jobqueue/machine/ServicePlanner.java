package io.emp.jobqueue.machine;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns service specs and worker slots into concrete processes: a per-worker service gets one
 * instance per slot of its type, paired by index, on port {@code base_port + gpu} (or the slot index
 * for CPU slots) like the reference's ComfyUI on 8188+i; base_port 0 takes a free port.
 * Port probing binds sockets: call from a worker thread.
 */
public final class ServicePlanner {
  private ServicePlanner() {
  }

  /** @param baseEnv the profile's environment variables, under each service's own env */
  public static List<ServiceInstance> plan(List<ServiceSpec> services, List<WorkerSlot> slots, Path installDir,
                                           String machineId, Map<String, String> baseEnv) throws IOException {
    List<ServiceInstance> out = new ArrayList<>();
    for (ServiceSpec s : services) {
      if (s.perWorker()) {
        for (WorkerSlot slot : slots) {
          if (!slot.type().equals(s.type())) {
            continue;
          }
          int offset = slot.gpu() != null ? slot.gpu() : slot.index();
          String name = s.name() + (slot.gpu() != null ? "-gpu" + slot.gpu() : "-" + slot.index());
          out.add(instance(s, name, slot.index(), slot.gpu(), port(s, offset), slot.binding(), installDir,
              machineId, slot.type(), baseEnv));
        }
      } else {
        for (int i = 0; i < s.instances(); i++) {
          String name = s.instances() == 1 ? s.name() : s.name() + "-" + i;
          out.add(instance(s, name, i, null, port(s, i), Binding.CPU, installDir, machineId, null, baseEnv));
        }
      }
    }
    return out;
  }

  /** Pairs each slot with the port of its service instance (same worker type, same index). */
  public static List<WorkerSlot> bind(List<WorkerSlot> slots, List<ServiceInstance> instances) {
    List<WorkerSlot> out = new ArrayList<>();
    for (WorkerSlot slot : slots) {
      Integer port = instances.stream()
          .filter(i -> slot.type().equals(i.workerType()) && i.index() == slot.index())
          .map(ServiceInstance::port).findFirst().orElse(null);
      out.add(slot.withServicePort(port));
    }
    return out;
  }

  private static ServiceInstance instance(ServiceSpec s, String name, int index, Integer gpu, int port, Binding b,
                                          Path installDir, String machineId, String workerType,
                                          Map<String, String> baseEnv) {
    Map<String, String> vars = new HashMap<>();
    vars.put("port", Integer.toString(port));
    vars.put("gpu", gpu == null ? "" : gpu.toString());
    vars.put("index", Integer.toString(index));
    vars.put("install_dir", installDir.toString());
    vars.put("name", name);
    vars.put("machine_id", machineId);
    List<String> argv = s.command().stream().map(a -> fill(a, vars)).toList();
    Map<String, String> env = new HashMap<>(baseEnv);
    s.env().forEach((k, v) -> env.put(k, fill(v, vars)));
    Path workdir = s.workdir() == null ? installDir : Path.of(fill(s.workdir(), vars));
    return new ServiceInstance(name, s, index, gpu, port, b, argv, workdir, env, workerType);
  }

  static String fill(String template, Map<String, String> vars) {
    String out = template;
    for (Map.Entry<String, String> e : vars.entrySet()) {
      out = out.replace("{" + e.getKey() + "}", e.getValue());
    }
    return out;
  }

  private static int port(ServiceSpec s, int offset) throws IOException {
    if (s.basePort() > 0) {
      return s.basePort() + offset;
    }
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
