package io.emp.jobqueue.machine;

import io.emp.jobqueue.core.telemetry.Attr;
import io.emp.jobqueue.core.telemetry.MachineAttr;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Phase 1: the work, cache and log directories exist and are writable; the hardware is detected. */
final class EnvironmentPhase {
  private final Vertx vertx;
  private final MachineConfig cfg;

  EnvironmentPhase(Vertx vertx, MachineConfig cfg) {
    this.vertx = vertx;
    this.cfg = cfg;
  }

  /** Answers the machine's hardware; its facts go on {@code root}, the machine.startup span. */
  Future<HardwareInfo> run(Span span, Span root) {
    MachineProfile p = cfg.profile();
    return vertx.executeBlocking(() -> {
      List<Path> dirs = new ArrayList<>(List.of(cfg.workDir(), cfg.cacheDir(), cfg.logDir()));
      p.directories().forEach(d -> dirs.add(cfg.workDir().resolve(d)));
      int created = 0;
      boolean writable = true;
      for (Path d : dirs) {
        if (!Files.isDirectory(d)) {
          Files.createDirectories(d);
          created++;
        }
        writable &= Files.isWritable(d);
      }
      span.setAttribute(MachineAttr.DIRECTORIES_CREATED, created);
      span.setAttribute(MachineAttr.PERMISSIONS_SUCCESS, writable);
      // Only whether the secrets are present, never their values.
      boolean secrets = p.secrets().stream().allMatch(s -> System.getenv(s) != null && !System.getenv(s).isBlank());
      span.setAttribute(MachineAttr.ENV_SECRETS_AVAILABLE, secrets);
      span.setAttribute(MachineAttr.ENV_VARIABLES_LOADED, p.variables().size());
      span.setAttribute(MachineAttr.ENV_JAVA_VERSION, Runtime.version().toString());
      if (!writable) {
        throw new IllegalStateException("work directories are not writable: " + dirs);
      }
      return null;
    }, false).compose(v -> new HardwareDetector(cfg.nvidiaSmi()).detect(vertx, cfg.workDir())).map(hw -> {
      root.setAttribute(MachineAttr.HW_GPU_COUNT, hw.gpuCount());
      root.setAttribute(MachineAttr.HW_CPU_CORES, hw.cpuCores());
      root.setAttribute(MachineAttr.HW_RAM_GB, hw.ramGb());
      root.setAttribute(MachineAttr.HW_DISK_GB, hw.diskGb());
      span.setAttribute(Attr.MACHINE_GPU_COUNT, hw.gpuCount());
      return hw;
    });
  }
}
