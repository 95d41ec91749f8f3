package io.emp.jobqueue.worker.connectors.openai;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Folds {@code chat.completion.chunk}s (first choice) into the body a non-streamed call would return. */
final class ChatStream {
  private String id;
  private String model;
  private String serviceTier;
  private final StringBuilder content = new StringBuilder();
  private String role = "assistant";
  private String finishReason;
  private JsonObject usage;
  private int chunks;
  private boolean done;

  /** @return false when the chunk is a mid-stream error object (its {@code error} is then {@link #error}) */
  boolean add(JsonObject chunk) {
    if (chunk.getValue("error") instanceof JsonObject) {
      return false;
    }
    chunks++;
    id = chunk.getString("id", id);
    model = chunk.getString("model", model);
    serviceTier = chunk.getString("service_tier", serviceTier);
    if (chunk.getValue("usage") instanceof JsonObject u) {
      usage = u;
    }
    JsonArray choices = chunk.getJsonArray("choices", new JsonArray());
    if (!choices.isEmpty() && choices.getValue(0) instanceof JsonObject c) {
      JsonObject delta = c.getJsonObject("delta", new JsonObject());
      role = delta.getString("role", role);
      if (delta.getValue("content") instanceof String s) {
        content.append(s);
      }
      if (c.getString("finish_reason") != null) {
        finishReason = c.getString("finish_reason");
      }
    }
    return true;
  }

  static JsonObject error(JsonObject chunk) {
    return chunk.getJsonObject("error");
  }

  void markDone() {
    done = true;
  }

  /** [DONE] arrived, or at least the final chunk with a finish reason. */
  boolean complete() {
    return done || finishReason != null;
  }

  int chunks() {
    return chunks;
  }

  JsonObject toBody() {
    JsonObject message = new JsonObject().put("role", role).put("content", content.toString());
    JsonObject body = new JsonObject().put("id", id).put("object", "chat.completion").put("model", model)
        .put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("message", message)
            .put("finish_reason", finishReason)));
    if (usage != null) {
      body.put("usage", usage);
    }
    if (serviceTier != null) {
      body.put("service_tier", serviceTier);
    }
    return body;
  }
}
