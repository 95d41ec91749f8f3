package io.emp.jobqueue.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** No GPU exists here, so stand-ins for nvidia-smi print what the real one prints for this query. */
class MachineInfoTest {

  private static String script(Path dir, String body) throws Exception {
    Path p = dir.resolve("nvidia-smi");
    Files.writeString(p, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return p.toString();
  }

  @Test
  void countsGpusAndSumsTheirMemory(@TempDir Path dir) throws Exception {
    // `nvidia-smi --query-gpu=memory.total --format=csv,noheader,nounits` on a two-H100 host
    MachineInfo m = MachineInfo.probe(script(dir, "echo 81559\necho 81559"));
    assertThat(m.gpuCount()).isEqualTo(2);
    assertThat(m.gpuMemoryGb()).isEqualTo(159.29);
    assertThat(m.cpuCores()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(m.ramGb()).isPositive();
  }

  @Test
  void noGpuFiguresWhenNvidiaSmiFailsOrIsAbsent(@TempDir Path dir) throws Exception {
    MachineInfo failing = MachineInfo.probe(script(dir,
        "echo 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.'; exit 9"));
    assertThat(failing.gpuCount()).isNull();
    assertThat(failing.gpuMemoryGb()).isNull();
    MachineInfo absent = MachineInfo.probe(dir.resolve("no-such-binary").toString());
    assertThat(absent.gpuCount()).isNull();
  }
}
