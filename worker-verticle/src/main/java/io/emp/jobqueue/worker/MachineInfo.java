package io.emp.jobqueue.worker;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Resource facts for the job.processing span. GPU figures come from nvidia-smi and are null when it
 * reports none, so a CPU-only host never claims "0 GPUs" it did not measure.
 */
public record MachineInfo(int cpuCores, double ramGb, Integer gpuCount, Double gpuMemoryGb) {
  private static final long NVIDIA_SMI_TIMEOUT_S = 5;
  private static final String NVIDIA_SMI = "nvidia-smi";
  // the value, not a future: a future would stay bound to the context (and Vert.x) that made it
  private static volatile MachineInfo detected;

  /** Detects once per JVM, off the event loop (nvidia-smi is a child process). */
  public static Future<MachineInfo> detect(Vertx vertx) {
    MachineInfo m = detected;
    if (m != null) {
      return Future.succeededFuture(m);
    }
    return vertx.executeBlocking(MachineInfo::probe, false).onSuccess(found -> detected = found);
  }

  static MachineInfo probe() {
    return probe(NVIDIA_SMI);
  }

  /** @param nvidiaSmi the nvidia-smi executable (a test may point at another that prints the same format) */
  static MachineInfo probe(String nvidiaSmi) {
    int cores = Runtime.getRuntime().availableProcessors();
    double ram = 0;
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      ram = os.getTotalMemorySize() / (1024.0 * 1024 * 1024);
    }
    List<Double> gpus = nvidiaSmi(nvidiaSmi);
    if (gpus.isEmpty()) {
      return new MachineInfo(cores, round(ram), null, null);
    }
    return new MachineInfo(cores, round(ram), gpus.size(), round(gpus.stream().mapToDouble(d -> d).sum()));
  }

  /** Total memory per GPU in GB; empty when nvidia-smi is absent or fails. */
  private static List<Double> nvidiaSmi(String command) {
    List<Double> out = new ArrayList<>();
    try {
      Process p = new ProcessBuilder(command, "--query-gpu=memory.total", "--format=csv,noheader,nounits")
          .redirectErrorStream(true).start();
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          try {
            out.add(Double.parseDouble(line.trim()) / 1024.0);
          } catch (NumberFormatException notANumber) {
            return List.of(); // an error text, not a GPU line
          }
        }
      }
      if (!p.waitFor(NVIDIA_SMI_TIMEOUT_S, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return List.of();
      }
      return p.exitValue() == 0 ? out : List.of();
    } catch (Exception absent) {
      return List.of();
    }
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
