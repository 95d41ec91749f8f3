package io.emp.jobqueue.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.emp.jobqueue.core.telemetry.TelemetryConfig;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeTelemetryConfigTest {

  @Test
  void machineProfileTelemetryShapesTheNodesSdk(@TempDir Path dir) throws Exception {
    Files.copy(Path.of("../conf/machines/base.json"), dir.resolve("base.json"));
    Files.writeString(dir.resolve("traced.json"), new JsonObject().put("extends", "base").put("name", "traced")
        .put("telemetry", new JsonObject().put("otel", new JsonObject().put("otel.bsp.schedule.delay", "250")))
        .encode());
    JsonObject json = new JsonObject().put("machine", new JsonObject().put("profile", "traced")
        .put("profiles_dir", dir.toString()).put("machine_id", "gpu-box-7"));
    TelemetryConfig tc = Node.telemetryConfig(new NodeConfig(Set.of(NodeConfig.Role.MACHINE), json, dir));
    assertThat(tc.machineId()).isEqualTo("gpu-box-7");
    assertThat(tc.otelOverrides()).containsEntry("otel.bsp.schedule.delay", "250");

    TelemetryConfig api = Node.telemetryConfig(new NodeConfig(Set.of(NodeConfig.Role.API), json, dir));
    assertThat(api.otelOverrides()).as("an API-only node reads no machine profile").isEmpty();
  }
}
