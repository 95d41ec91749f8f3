package io.emp.jobqueue.machine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HardwareDetectorTest {
  /** Captured from a two-GPU host: nvidia-smi --query-gpu=name,memory.total --format=csv,noheader,nounits. */
  static final String SAMPLE = "NVIDIA GeForce RTX 4090, 24564\nNVIDIA A100-SXM4-80GB, 81920\n";

  @Test
  void parsesNvidiaSmiRows() {
    List<HardwareInfo.Gpu> gpus = HardwareDetector.parseNvidiaSmi(SAMPLE);
    assertThat(gpus).containsExactly(new HardwareInfo.Gpu(0, "NVIDIA GeForce RTX 4090", 24564),
        new HardwareInfo.Gpu(1, "NVIDIA A100-SXM4-80GB", 81920));
  }

  @Test
  void skipsWarningsAndUnavailableMemory() {
    String out = "WARNING: infoROM is corrupted at gpu 0000:01:00.0\nTesla T4, [N/A]\nTesla T4, 15360\n\n";
    assertThat(HardwareDetector.parseNvidiaSmi(out)).containsExactly(new HardwareInfo.Gpu(0, "Tesla T4", 15360));
    assertThat(HardwareDetector.parseNvidiaSmi("")).isEmpty();
  }

  @Test
  void absentNvidiaSmiMeansNoGpusAndOsFiguresAreReal(@TempDir Path dir) throws Exception {
    HardwareInfo hw = new HardwareDetector(dir.resolve("no-such-nvidia-smi").toString()).detectBlocking(dir);
    assertThat(hw.gpuCount()).isZero();
    assertThat(hw.cpuCores()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(hw.ramGb()).isPositive();
    assertThat(hw.diskGb()).isPositive();
    assertThat(hw.minGpuMemoryGb()).isNull();
  }

  @Test
  void runsNvidiaSmiWithTheQueryArguments(@TempDir Path dir) throws Exception {
    // A stand-in nvidia-smi that answers only to the exact query the detector must send.
    Path smi = dir.resolve("nvidia-smi");
    Files.writeString(smi, "#!/bin/sh\n[ \"$1\" = \"--query-gpu=name,memory.total\" ] && "
        + "[ \"$2\" = \"--format=csv,noheader,nounits\" ] || exit 9\nprintf '" + SAMPLE.replace("\n", "\\n") + "'\n");
    Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
    HardwareInfo hw = new HardwareDetector(smi.toString()).detectBlocking(dir.resolve("not-yet-created"));
    assertThat(hw.gpuCount()).isEqualTo(2);
    assertThat(hw.minGpuMemoryGb()).isEqualTo(24.0);
  }

  @Test
  void workerHardwareIsTheSlotsOwnGpuPlusTheMachinesCpuAndRam() {
    HardwareInfo hw = new HardwareInfo(HardwareDetector.parseNvidiaSmi(SAMPLE), 16, 64.0, 500.0);
    MachineInfo m = new MachineInfo("m1", "p", hw);
    List<WorkerSlot> slots = WorkerSpec.parse("comfyui:auto,simulation:1,comfyui:1:mock_gpu",
        MachineProfile.DEFAULT_GPU_BOUND_TYPES).resolve("m1", hw.gpuCount());
    assertThat(m.workerHardware(slots.get(1))).isEqualTo(new io.emp.jobqueue.core.model.Hardware(1.0, 80.0, 16.0,
        64.0));
    assertThat(m.workerHardware(slots.get(2)).gpuCount()).isZero();
    assertThat(m.workerHardware(slots.get(3)).gpuMemoryGb()).isNull();
  }
}
