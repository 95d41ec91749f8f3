package io.emp.jobqueue.machine;

import com.sun.management.OperatingSystemMXBean;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Detects GPUs (nvidia-smi), CPU cores, RAM and free disk. Everything here blocks (a child
 * process, MXBean and file-store calls), so {@link #detect} runs it on a worker thread.
 */
public final class HardwareDetector {
  public static final String DEFAULT_NVIDIA_SMI = "nvidia-smi";
  public static final long NVIDIA_SMI_TIMEOUT_MS = 15_000;
  private static final System.Logger LOG = System.getLogger(HardwareDetector.class.getName());

  private final String nvidiaSmi;

  /** @param nvidiaSmi the nvidia-smi command; null or blank disables GPU detection (0 GPUs) */
  public HardwareDetector(String nvidiaSmi) {
    this.nvidiaSmi = nvidiaSmi;
  }

  public Future<HardwareInfo> detect(Vertx vertx, Path workDir) {
    return vertx.executeBlocking(() -> detectBlocking(workDir), false);
  }

  HardwareInfo detectBlocking(Path workDir) throws IOException {
    List<HardwareInfo.Gpu> gpus = queryGpus();
    int cores = Runtime.getRuntime().availableProcessors();
    double ramGb = 0;
    if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
      ramGb = round1(os.getTotalMemorySize() / 1024.0 / 1024 / 1024);
    }
    Path existing = workDir.toAbsolutePath();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    double diskGb = existing == null ? 0
        : round1(Files.getFileStore(existing).getUsableSpace() / 1024.0 / 1024 / 1024);
    return new HardwareInfo(gpus, cores, ramGb, diskGb);
  }

  private List<HardwareInfo.Gpu> queryGpus() {
    if (nvidiaSmi == null || nvidiaSmi.isBlank()) {
      return List.of();
    }
    try {
      Process p = new ProcessBuilder(nvidiaSmi, "--query-gpu=name,memory.total", "--format=csv,noheader,nounits")
          .redirectErrorStream(true).start();
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(NVIDIA_SMI_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        LOG.log(System.Logger.Level.WARNING, "nvidia-smi timed out; assuming no GPUs");
        return List.of();
      }
      if (p.exitValue() != 0) {
        LOG.log(System.Logger.Level.WARNING, "nvidia-smi exited with " + p.exitValue() + "; assuming no GPUs");
        return List.of();
      }
      return parseNvidiaSmi(new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      // No nvidia-smi on the PATH is the normal case of a CPU machine.
      return List.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    }
  }

  /**
   * Parses {@code nvidia-smi --query-gpu=name,memory.total --format=csv,noheader,nounits}: one
   * {@code name, MiB} line per GPU. Lines that do not parse are skipped (nvidia-smi prints
   * driver warnings on the same stream on some systems).
   */
  public static List<HardwareInfo.Gpu> parseNvidiaSmi(String output) {
    List<HardwareInfo.Gpu> gpus = new ArrayList<>();
    for (String line : output.split("\\R")) {
      int comma = line.lastIndexOf(',');
      if (comma <= 0) {
        continue;
      }
      String name = line.substring(0, comma).trim();
      String mem = line.substring(comma + 1).trim();
      try {
        gpus.add(new HardwareInfo.Gpu(gpus.size(), name, Long.parseLong(mem)));
      } catch (NumberFormatException e) {
        // "[N/A]" or a warning line: not a GPU row
      }
    }
    return gpus;
  }

  private static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }
}
