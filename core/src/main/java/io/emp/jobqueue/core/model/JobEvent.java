package io.emp.jobqueue.core.model;

import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * One job event as appended to the global and per-job streams. {@code type} uses the reference
 * system's WebSocket message names so clients written for it keep working.
 *
 * @param streamId id in the global stream (relay position), or null when read from a per-job stream
 * @param fields every field of the stream entry, including the ones lifted into components
 */
public record JobEvent(String streamId, String type, String jobId, long seq, String status, long timestamp,
                       String traceparent, Map<String, String> fields) {

  public static final String SUBMITTED = "job_submitted";
  public static final String ASSIGNED = "job_assigned";
  public static final String PROGRESS = "update_job_progress";
  public static final String COMPLETED = "complete_job";
  public static final String FAILED = "job_failed";
  public static final String CANCELLED = "job_cancelled";
  /** A retryable failure, an expired lease or a drained worker sent the job back to waiting. */
  public static final String REQUEUED = "job_requeued";
  public static final String CANCEL_REQUESTED = "job_cancel_requested";
  /** Operator actions (issue 11); each carries {@code by}, who asked. */
  public static final String RETRIED = "job_retried";
  public static final String PROMOTED = "job_promoted";
  /** In the global stream only: the job's own stream is deleted with it. */
  public static final String DELETED = "job_deleted";

  public JobEvent {
    fields = Map.copyOf(fields);
  }

  public static JobEvent fromFields(String streamId, Map<String, String> f) {
    return new JobEvent(streamId, f.get("type"), f.get("job_id"), Long.parseLong(f.getOrDefault("seq", "0")),
        f.get("status"), Long.parseLong(f.getOrDefault("ts", "0")), f.get("traceparent"), f);
  }

  public boolean isTerminal() {
    return COMPLETED.equals(type) || FAILED.equals(type) || CANCELLED.equals(type);
  }

  /** A numeric field, or null when absent or not a number. */
  public Long longField(String name) {
    String v = field(name);
    if (v == null || v.isEmpty()) {
      return null;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  public String field(String name) {
    return fields.get(name);
  }

  /** The message a WebSocket client receives: every stream field, numbers as numbers. */
  public JsonObject toJson() {
    JsonObject j = new JsonObject();
    fields.forEach((k, v) -> {
      switch (k) {
        case "seq", "ts", "progress", "attempt", "created_at", "started_at", "due_at" -> j.put(k, parseNum(v));
        case "result", "error" -> j.put(k, v.startsWith("{") ? new JsonObject(v) : v);
        default -> j.put(k, v);
      }
    });
    j.put("timestamp", timestamp);
    return j;
  }

  private static Object parseNum(String v) {
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      return v;
    }
  }
}
