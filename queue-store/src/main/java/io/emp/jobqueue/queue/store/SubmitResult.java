package io.emp.jobqueue.queue.store;

import io.emp.jobqueue.core.model.JobStatus;
import io.emp.jobqueue.core.model.PriorityScore;
import io.emp.jobqueue.core.model.TraceContext;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * @param created false when an earlier submit with the same id or idempotency key already made this job
 * @param estimatedPosition jobs ahead of it in its service's queue, or -1 when it is no longer pending
 * @param earlierSteps for a workflow step: the workflow's earlier steps, job id -> trace context of its submit span
 *                     (used for span links; not part of the JSON form)
 */
public record SubmitResult(String jobId, boolean created, JobStatus status, long priorityScore,
                           long estimatedPosition, long createdAt, Map<String, TraceContext> earlierSteps) {
  public SubmitResult {
    earlierSteps = earlierSteps == null ? Map.of() : Map.copyOf(earlierSteps);
  }

  public int effectivePriority() {
    return PriorityScore.priorityOf(priorityScore);
  }

  public JsonObject toJson() {
    return new JsonObject().put("job_id", jobId).put("created", created).put("status", status.wire())
        .put("priority_score", priorityScore).put("estimated_position", estimatedPosition)
        .put("created_at", createdAt);
  }

  public static SubmitResult fromJson(JsonObject j) {
    return new SubmitResult(j.getString("job_id"), j.getBoolean("created"), JobStatus.fromWire(j.getString("status")),
        j.getLong("priority_score"), j.getLong("estimated_position"), j.getLong("created_at", 0L), Map.of());
  }
}
