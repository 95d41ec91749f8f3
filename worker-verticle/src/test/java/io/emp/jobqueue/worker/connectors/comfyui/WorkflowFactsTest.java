package io.emp.jobqueue.worker.connectors.comfyui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class WorkflowFactsTest {

  @Test
  void readsTheSamplerLatentAndCheckpointOfATxt2ImgGraph() {
    WorkflowFacts f = WorkflowFacts.of(Graphs.txt2img("sdxl.safetensors", 20), null);
    assertThat(f.nodeCount()).isEqualTo(7);
    assertThat(f.estimatedSteps()).isEqualTo(20);
    assertThat(f.steps()).isEqualTo(20L);
    assertThat(f.seed()).isEqualTo(42L);
    assertThat(f.cfg()).isEqualTo(7.0);
    assertThat(f.model()).isEqualTo("sdxl.safetensors");
    assertThat(f.resolution()).isEqualTo("512x512");
    assertThat(f.type()).isEqualTo("txt2img");
    assertThat(f.outputNodes()).containsExactly("7");
  }

  @Test
  void guessesImg2ImgAndHonoursAnExplicitType() {
    JsonObject g = Graphs.txt2img("a.safetensors", 10);
    g.remove("4");
    g.put("8", Graphs.node("LoadImage", new JsonObject().put("image", "in.png")));
    g.put("9", Graphs.node("VAEEncode", new JsonObject().put("pixels", Graphs.link("8", 0)).put("vae", Graphs.link("1", 2))));
    assertThat(WorkflowFacts.of(g, null).type()).isEqualTo("img2img");
    assertThat(WorkflowFacts.of(g, null).resolution()).isNull();
    assertThat(WorkflowFacts.of(g, "restyle").type()).isEqualTo("restyle");
  }

  @Test
  void sumsStepsOfEverySamplerAndSkipsLinkedSeeds() {
    JsonObject g = Graphs.txt2img("a.safetensors", 10);
    g.put("10", Graphs.node("KSamplerAdvanced", new JsonObject().put("noise_seed", Graphs.link("11", 0))
        .put("steps", 15)));
    WorkflowFacts f = WorkflowFacts.of(g, null);
    assertThat(f.estimatedSteps()).isEqualTo(25);
    assertThat(f.steps()).isEqualTo(10L);
  }

  @Test
  void rejectsGraphsThatAreNotApiFormat() {
    assertThatThrownBy(() -> WorkflowFacts.of(new JsonObject(), null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> WorkflowFacts.of(new JsonObject().put("nodes", new io.vertx.core.json.JsonArray()), null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> WorkflowFacts.of(new JsonObject().put("1", new JsonObject().put("inputs", new JsonObject())),
        null)).isInstanceOf(IllegalArgumentException.class);
  }
}
