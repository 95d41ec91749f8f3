package io.emp.jobqueue.worker.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emp.jobqueue.core.config.ConfigSection;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnectorRegistryTest {
  private final ConnectorRegistry registry = ConnectorRegistry.load();

  @Test
  void findsTheShippedConnectorsThroughServiceLoader() {
    assertThat(registry.types()).containsExactly("comfyui", "openai", "simulation");
    assertThat(registry.factory("openai").services()).containsExactly("openai", "openai_text", "openai_image");
    Connector c = registry.factory("simulation").create(ConfigSection.of(new JsonObject(), "worker.connectors.simulation"),
        ConnectorFactory.Slot.NONE, Map.of());
    assertThat(c.type()).isEqualTo("simulation");
  }

  @Test
  void aComfyUiWorkerIsBoundToTheServicePortItsMachinePlanned() {
    Connector c = registry.factory("comfyui").create(ConfigSection.of(new JsonObject(), "worker.connectors.comfyui"),
        new ConnectorFactory.Slot(1, 8411), Map.of());
    assertThat(c.externalService().endpoint()).endsWith(":8411");
  }

  @Test
  void withoutAPlannedPortAComfyUiWorkerUsesTheInstanceOfItsGpu() {
    JsonObject section = new JsonObject().put("base_port", 8188);
    Connector c = registry.factory("comfyui").create(ConfigSection.of(section, "worker.connectors.comfyui"),
        new ConnectorFactory.Slot(2, null), Map.of());
    assertThat(c.externalService().endpoint()).endsWith(":8190");
  }

  @Test
  void anUnknownTypeNamesTheKnownOnes() {
    assertThatThrownBy(() -> registry.factory("a1111")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no connector for worker type 'a1111'; known: [comfyui, openai, simulation]");
  }
}
