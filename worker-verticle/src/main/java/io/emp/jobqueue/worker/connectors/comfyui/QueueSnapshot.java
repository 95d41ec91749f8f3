package io.emp.jobqueue.worker.connectors.comfyui;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** ComfyUI's {@code GET /queue} answer, read for one prompt. */
record QueueSnapshot(JsonArray running, JsonArray pending) {
  static QueueSnapshot of(JsonObject queue) {
    return new QueueSnapshot(queue.getJsonArray("queue_running", new JsonArray()),
        queue.getJsonArray("queue_pending", new JsonArray()));
  }

  /** Whether the prompt is still queued or running (gone: it finished, and the history has it). */
  boolean contains(String promptId) {
    return indexOf(running, promptId) >= 0 || indexOf(pending, promptId) >= 0;
  }

  /**
   * Prompts ahead of this one: 0 when it runs now or already finished. Pending items carry their
   * priority number first, and ComfyUI runs lower numbers first.
   */
  int ahead(String promptId) {
    if (indexOf(running, promptId) >= 0) {
      return 0;
    }
    Double ours = null;
    for (Object o : pending) {
      if (o instanceof JsonArray item && item.size() > 1 && item.getValue(0) instanceof Number n
          && promptId.equals(item.getValue(1))) {
        ours = n.doubleValue();
      }
    }
    if (ours == null) {
      return 0;
    }
    int before = 0;
    for (Object o : pending) {
      if (o instanceof JsonArray item && item.size() > 1 && item.getValue(0) instanceof Number n
          && n.doubleValue() < ours) {
        before++;
      }
    }
    return running.size() + before;
  }

  private static int indexOf(JsonArray items, String promptId) {
    for (int i = 0; i < items.size(); i++) {
      if (items.getValue(i) instanceof JsonArray item && item.size() > 1 && promptId.equals(item.getValue(1))) {
        return i;
      }
    }
    return -1;
  }
}
