package io.emp.jobqueue.worker.connectors.comfyui;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What an API-format graph reveals before it runs, for the {@code comfyui.workflow.execute} span.
 * Null fields are unknown (e.g. a seed wired from another node instead of a literal).
 */
public record WorkflowFacts(int nodeCount, long estimatedSteps, String type, String model, String resolution,
                            Long seed, Long steps, Double cfg, List<String> outputNodes) {

  private static final Set<String> OUTPUT_CLASSES = Set.of("SaveImage", "PreviewImage", "SaveAnimatedWEBP",
      "SaveAnimatedPNG", "SaveVideo", "SaveAudio", "VHS_VideoCombine");

  /**
   * @param typeOverride the payload's {@code workflow_type}, which wins over the guess
   * @throws IllegalArgumentException when the graph is not API format (node id → {class_type, inputs})
   */
  public static WorkflowFacts of(JsonObject graph, String typeOverride) {
    if (graph == null || graph.isEmpty()) {
      throw new IllegalArgumentException("workflow graph is empty");
    }
    List<String> ids = new ArrayList<>(graph.fieldNames());
    ids.sort(Comparator.comparingLong(WorkflowFacts::numericOrder).thenComparing(Comparator.naturalOrder()));
    Set<String> classes = new HashSet<>();
    long estimatedSteps = 0;
    String model = null;
    String resolution = null;
    Long seed = null;
    Long steps = null;
    Double cfg = null;
    List<String> outputs = new ArrayList<>();
    for (String id : ids) {
      if (!(graph.getValue(id) instanceof JsonObject node) || !(node.getValue("class_type") instanceof String cls)) {
        throw new IllegalArgumentException("node '" + id + "' has no class_type: the graph must be API format");
      }
      classes.add(cls);
      JsonObject in = node.getValue("inputs") instanceof JsonObject o ? o : new JsonObject();
      if (OUTPUT_CLASSES.contains(cls) || cls.startsWith("Save")) {
        outputs.add(id);
      }
      if (model == null) {
        model = literalString(in, "ckpt_name", "unet_name", "model_name");
      }
      if (resolution == null && cls.startsWith("Empty") && cls.contains("Latent")) {
        Long w = literalLong(in, "width");
        Long h = literalLong(in, "height");
        resolution = w != null && h != null ? w + "x" + h : null;
      }
      if (cls.startsWith("KSampler") || cls.startsWith("SamplerCustom")) {
        Long s = literalLong(in, "steps");
        estimatedSteps += s == null ? 0 : s;
        if (steps == null) {
          steps = s;
          seed = literalLong(in, "seed", "noise_seed");
          cfg = in.getValue("cfg") instanceof Number n ? n.doubleValue() : null;
        }
      }
    }
    String type = typeOverride != null ? typeOverride : guessType(classes);
    return new WorkflowFacts(graph.size(), estimatedSteps, type, model, resolution, seed, steps, cfg, outputs);
  }

  private static String guessType(Set<String> classes) {
    boolean loadsImage = classes.stream().anyMatch(c -> c.startsWith("LoadImage"));
    if (classes.stream().anyMatch(c -> c.contains("Video") || c.contains("AnimateDiff"))) {
      return "video";
    }
    if (loadsImage && (classes.contains("VAEEncodeForInpaint") || classes.contains("InpaintModelConditioning")
        || classes.contains("SetLatentNoiseMask"))) {
      return "inpaint";
    }
    if (loadsImage && classes.contains("VAEEncode")) {
      return "img2img";
    }
    if (classes.stream().anyMatch(c -> c.startsWith("Empty") && c.contains("Latent"))) {
      return "txt2img";
    }
    if (loadsImage && classes.stream().anyMatch(c -> c.contains("Upscale"))) {
      return "upscale";
    }
    return "custom";
  }

  private static long numericOrder(String id) {
    try {
      return Long.parseLong(id);
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  private static String literalString(JsonObject in, String... keys) {
    for (String k : keys) {
      if (in.getValue(k) instanceof String s) {
        return s;
      }
    }
    return null;
  }

  private static Long literalLong(JsonObject in, String... keys) {
    for (String k : keys) {
      Object v = in.getValue(k);
      if (v instanceof Number n && !(v instanceof JsonArray)) {
        return n.longValue();
      }
    }
    return null;
  }
}
