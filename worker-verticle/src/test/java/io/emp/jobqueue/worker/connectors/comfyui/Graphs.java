package io.emp.jobqueue.worker.connectors.comfyui;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** API-format graphs for tests (ComfyUI's minimal txt2img graph; docs/connectors.md has the format). */
public final class Graphs {
  private Graphs() {
  }

  public static JsonObject txt2img(String ckpt, int steps) {
    return new JsonObject()
        .put("1", node("CheckpointLoaderSimple", new JsonObject().put("ckpt_name", ckpt)))
        .put("2", node("CLIPTextEncode", new JsonObject().put("text", "a red fox in snow").put("clip", link("1", 1))))
        .put("3", node("CLIPTextEncode", new JsonObject().put("text", "blurry").put("clip", link("1", 1))))
        .put("4", node("EmptyLatentImage", new JsonObject().put("width", 512).put("height", 512).put("batch_size", 1)))
        .put("5", node("KSampler", new JsonObject().put("seed", 42).put("steps", steps).put("cfg", 7.0)
            .put("sampler_name", "euler").put("scheduler", "normal").put("denoise", 1.0)
            .put("model", link("1", 0)).put("positive", link("2", 0)).put("negative", link("3", 0))
            .put("latent_image", link("4", 0))))
        .put("6", node("VAEDecode", new JsonObject().put("samples", link("5", 0)).put("vae", link("1", 2))))
        .put("7", node("SaveImage", new JsonObject().put("filename_prefix", "job123").put("images", link("6", 0))));
  }

  public static JsonObject node(String cls, JsonObject inputs) {
    return new JsonObject().put("class_type", cls).put("inputs", inputs);
  }

  public static JsonArray link(String node, int slot) {
    return new JsonArray().add(node).add(slot);
  }
}
