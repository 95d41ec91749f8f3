package io.emp.jobqueue.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.emp.jobqueue.machine.MachineConfig;
import io.emp.jobqueue.machine.MachineProfiles;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The README's EMP_WORKERS variable reaches the machine: it replaces the profile's worker spec. */
class WorkersEnvTest {

  @Test
  void empWorkersReplacesTheProfilesWorkerSpec() throws Exception {
    Path file = Files.createTempFile("emp-workers-", ".json");
    Files.writeString(file, new JsonObject().put("machine", new JsonObject().put("profile", "sim-test-local-dev")
        .put("profiles_dir", DocumentedTraceTest.conf("machines").toString())).encode());
    NodeConfig cfg = NodeConfig.load(new String[] {"--config", file.toString()}, Map.of("EMP_WORKERS", "simulation:1"));

    MachineConfig machine = MachineConfig.from(cfg.section("machine").copy().put("machine_id", "m-env"),
        MachineProfiles.load(DocumentedTraceTest.conf("machines"), "sim-test-local-dev"));

    // the profile itself asks for simulation:2
    assertThat(machine.profile().workers()).isEqualTo("simulation:1");
    assertThat(machine.profile().workerSpec().resolve("m-env", 0)).hasSize(1);
  }

  @Test
  void withoutEmpWorkersTheProfileDecides() throws Exception {
    MachineConfig machine = MachineConfig.from(new JsonObject().put("machine_id", "m-profile"),
        MachineProfiles.load(DocumentedTraceTest.conf("machines"), "sim-test-local-dev"));
    assertThat(machine.profile().workers()).isEqualTo("simulation:2");
    assertThat(machine.profile().workerSpec().resolve("m-profile", 0)).hasSize(2);
  }
}
