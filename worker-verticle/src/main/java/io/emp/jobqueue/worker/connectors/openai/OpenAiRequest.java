package io.emp.jobqueue.worker.connectors.openai;

import io.emp.jobqueue.core.model.Job;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * One job's OpenAI call, derived from its payload (see docs/connectors.md).
 *
 * @param body the exact JSON body sent (the payload minus the connector's own keys)
 * @param stream chat only: read the answer as server-sent events (payload {@code "stream": true})
 */
public record OpenAiRequest(Operation operation, String model, JsonObject body, boolean stream) {

  /** The two supported calls; {@code genAiName} is the gen_ai.operation.name value. */
  public enum Operation {
    CHAT("/chat/completions", "chat", "text"),
    IMAGE("/images/generations", "generate_image", "image");

    public final String path;
    public final String genAiName;
    public final String outputType;

    Operation(String path, String genAiName, String outputType) {
      this.path = path;
      this.genAiName = genAiName;
      this.outputType = outputType;
    }
  }

  /** Payload key choosing the operation; removed from the body sent to OpenAI. */
  public static final String OPERATION_KEY = "operation";

  /**
   * @throws IllegalArgumentException when the payload cannot make a valid request
   */
  /** The completion token limit the request sets, or null. */
  public Integer maxTokens() {
    return body.getInteger("max_completion_tokens", body.getInteger("max_tokens"));
  }

  public static OpenAiRequest from(Job job, OpenAiConfig cfg) {
    JsonObject payload = job.payload() == null ? new JsonObject() : job.payload();
    Operation op = operation(payload.getString(OPERATION_KEY), job.serviceRequired(), payload);
    JsonObject body = payload.copy();
    body.remove(OPERATION_KEY);
    boolean stream = op == Operation.CHAT && Boolean.TRUE.equals(body.getValue("stream"));
    body.remove("stream");
    body.remove("stream_options");
    if (stream) {
      // Without include_usage a streamed answer carries no token counts.
      body.put("stream", true).put("stream_options", new JsonObject().put("include_usage", true));
    }
    if (op == Operation.CHAT) {
      if (!(body.getValue("messages") instanceof JsonArray)) {
        Object prompt = body.remove("prompt");
        if (!(prompt instanceof String p) || p.isBlank()) {
          throw new IllegalArgumentException("chat payload needs 'messages' (array) or 'prompt' (string)");
        }
        body.put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", p)));
      }
      if (body.getJsonArray("messages").isEmpty()) {
        throw new IllegalArgumentException("chat payload 'messages' is empty");
      }
      if (body.getString("model") == null) {
        body.put("model", cfg.defaultChatModel());
      }
    } else {
      if (!(body.getValue("prompt") instanceof String p) || p.isBlank()) {
        throw new IllegalArgumentException("image payload needs 'prompt' (string)");
      }
      if (body.getString("model") == null) {
        body.put("model", cfg.defaultImageModel());
      }
    }
    return new OpenAiRequest(op, body.getString("model"), body, stream);
  }

  private static Operation operation(String explicit, String service, JsonObject payload) {
    if (explicit != null) {
      return switch (explicit) {
        case "chat", "text", "chat_completion" -> Operation.CHAT;
        case "image", "image_generation" -> Operation.IMAGE;
        default -> throw new IllegalArgumentException("unknown openai operation '" + explicit + "' (chat|image)");
      };
    }
    if (service != null && (service.endsWith("_image") || service.endsWith("-image"))) {
      return Operation.IMAGE;
    }
    if (service != null && (service.endsWith("_text") || service.endsWith("_chat"))) {
      return Operation.CHAT;
    }
    // No explicit choice and a generic service name: messages mean chat, a bare prompt means image.
    return payload.containsKey("messages") ? Operation.CHAT : Operation.IMAGE;
  }
}
