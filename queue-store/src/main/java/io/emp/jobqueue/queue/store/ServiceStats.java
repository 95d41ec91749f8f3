package io.emp.jobqueue.queue.store;

import io.vertx.core.json.JsonObject;

/**
 * Queue figures for one service. Completed/failed/cancelled are running totals.
 *
 * @param oldestPendingAgeMs age of the longest-waiting pending job by its effective time (-1: none)
 */
public record ServiceStats(String service, long pending, long active, long delayed, long completed, long failed,
                           long cancelled, long oldestPendingAgeMs) {
  public JsonObject toJson() {
    return new JsonObject().put("service", service).put("pending", pending).put("active", active)
        .put("delayed", delayed).put("completed", completed).put("failed", failed).put("cancelled", cancelled)
        .put("oldest_pending_age_ms", oldestPendingAgeMs);
  }

  /** Two shards' figures of one service as one: counts add up, the oldest pending age is the larger. */
  public ServiceStats plus(ServiceStats o) {
    return new ServiceStats(service, pending + o.pending, active + o.active, delayed + o.delayed,
        completed + o.completed, failed + o.failed, cancelled + o.cancelled,
        Math.max(oldestPendingAgeMs, o.oldestPendingAgeMs));
  }

  public static ServiceStats fromJson(JsonObject j) {
    return new ServiceStats(j.getString("service"), j.getLong("pending"), j.getLong("active"), j.getLong("delayed"),
        j.getLong("completed"), j.getLong("failed"), j.getLong("cancelled"), j.getLong("oldest_pending_age_ms"));
  }
}
