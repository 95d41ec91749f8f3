package io.emp.jobqueue.machine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emp.jobqueue.core.model.Problem;
import io.emp.jobqueue.core.model.ValidationException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MachineProfileTest {
  /** The repository's profiles; tests run in the module directory. */
  static final Path CONF = Path.of("..", "conf", "machines");

  @Test
  void shippedProfilesLoad() {
    for (String name : new String[] {"base", "sim-test-local-dev", "comfyui-local", "openai"}) {
      MachineProfile p = MachineProfiles.load(CONF, name);
      assertThat(p.name()).isEqualTo(name);
      assertThat(p.workerSpec().entries()).isNotEmpty();
    }
  }

  @Test
  void childProfilesInheritFromBase() {
    MachineProfile sim = MachineProfiles.load(CONF, "sim-test-local-dev");
    assertThat(sim.workers()).isEqualTo("simulation:2");
    assertThat(sim.directories()).contains("models");
    assertThat(sim.variables()).containsEntry("PYTHONUNBUFFERED", "1");

    MachineProfile openai = MachineProfiles.load(CONF, "openai");
    assertThat(openai.secrets()).containsExactly("OPENAI_API_KEY");
    assertThat(openai.variables()).containsEntry("PYTHONUNBUFFERED", "1");

    MachineProfile comfy = MachineProfiles.load(CONF, "comfyui-local");
    assertThat(comfy.services()).singleElement().satisfies(s -> {
      assertThat(s.perWorker()).isTrue();
      assertThat(s.basePort()).isEqualTo(8188);
      assertThat(s.command()).contains("{port}", "{gpu}");
    });
    assertThat(comfy.components()).singleElement().satisfies(c -> assertThat(c.type())
        .isEqualTo(ComponentSpec.Type.GIT_REPO));
  }

  @Test
  void badProfileFailsNamingEveryField() {
    JsonObject bad = new JsonObject().put("name", "bad").put("machine_type", "x").put("workers", "sim:zero")
        .put("installation", new JsonObject().put("strategy", "random"))
        .put("components", new JsonArray()
            .add(new JsonObject().put("name", "m").put("type", "model_download").put("url", "http://h/m"))
            .add(new JsonObject().put("name", "g").put("type", "git_repo").put("url", "/r").put("target", "../x")))
        .put("services", new JsonArray().add(new JsonObject().put("name", "s").put("health_path", "nope")))
        .put("surprise", 1);
    assertThatThrownBy(() -> MachineProfile.fromJson(bad))
        .isInstanceOfSatisfying(ValidationException.class, e -> {
          assertThat(e.problems()).extracting(Problem::field).contains("workers[0]", "installation.strategy",
              "components[0].sha256", "components[1].ref", "components[1].target", "services[0].command",
              "services[0].health_path", "surprise");
          assertThat(e.getMessage()).contains("profile bad: components[0].sha256");
        });
  }

  @Test
  void missingProfileAndExtendsLoopFailFast(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> MachineProfiles.load(dir, "nope")).isInstanceOf(ValidationException.class)
        .hasMessageContaining("'nope' not found");
    Files.writeString(dir.resolve("a.json"), "{\"extends\":\"b\"}");
    Files.writeString(dir.resolve("b.json"), "{\"extends\":\"a\"}");
    assertThatThrownBy(() -> MachineProfiles.load(dir, "a")).isInstanceOf(ValidationException.class)
        .hasMessageContaining("loops");
  }

  @Test
  void machineConfigLoadsItsProfileAndDerivesTelemetrySettings() {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      JsonObject section = new JsonObject().put("machine_id", "gpu-box-1").put("profile", "comfyui-local")
          .put("work_dir", "/tmp/w").put("health_port", 0)
          .put("store", new JsonObject().put("redis_url", "redis://127.0.0.1:6390"));
      MachineConfig cfg = Fixtures.get(MachineConfig.load(vertx, section, CONF));
      assertThat(cfg.profile().name()).isEqualTo("comfyui-local");
      assertThat(cfg.cacheDir()).isEqualTo(Path.of("/tmp/w/.cache"));
      assertThat(cfg.store().redisUrl()).isEqualTo("redis://127.0.0.1:6390");
      MachineProfile withOtel = MachineProfile.fromJson(new JsonObject().put("name", "t").put("machine_type", "x")
          .put("workers", "sim:1").put("telemetry", new JsonObject().put("exporter", "otlp")
              .put("otel", new JsonObject().put("otel.bsp.schedule.delay", 1000))));
      io.emp.jobqueue.core.telemetry.TelemetryConfig t = new MachineConfig("gpu-box-1", withOtel, Path.of("/tmp/w"),
          null, null, 0, 100, 1000, 100, "", 1, 0, cfg.store(), null)
          .telemetryConfig(io.emp.jobqueue.core.telemetry.TelemetryConfig.DEFAULTS);
      assertThat(t.machineId()).isEqualTo("gpu-box-1");
      assertThat(t.otelOverrides()).containsEntry("otel.traces.exporter", "otlp")
          .containsEntry("otel.bsp.schedule.delay", "1000");
      assertThatThrownBy(() -> Fixtures.get(MachineConfig.load(vertx, section.copy().put("profile", "nope"), CONF)))
          .isInstanceOf(ValidationException.class);
    } finally {
      Fixtures.get(vertx.close());
    }
  }
}
