package io.emp.jobqueue.queue.store;

import io.vertx.core.json.JsonObject;

/**
 * What the job browser matches (every field optional; null = any). Times are ms epoch and exclusive.
 * {@code customerId} set makes the browser read that customer's own index.
 */
public record JobFilter(String status, String service, String customerId, String workerId, String errorType,
                        Long createdAfter, Long createdBefore, Long finishedAfter, Long finishedBefore,
                        String idPrefix) {
  public static final JobFilter ANY = new JobFilter(null, null, null, null, null, null, null, null, null, null);

  public JobFilter withCustomer(String customer) {
    return new JobFilter(status, service, customer, workerId, errorType, createdAfter, createdBefore, finishedAfter,
        finishedBefore, idPrefix);
  }

  public JobFilter withIdPrefix(String prefix) {
    return new JobFilter(status, service, customerId, workerId, errorType, createdAfter, createdBefore, finishedAfter,
        finishedBefore, prefix);
  }

  public JsonObject toJson() {
    JsonObject j = new JsonObject();
    put(j, "status", status);
    put(j, "service", service);
    put(j, "customer_id", customerId);
    put(j, "worker_id", workerId);
    put(j, "error_type", errorType);
    put(j, "created_after", createdAfter);
    put(j, "created_before", createdBefore);
    put(j, "finished_after", finishedAfter);
    put(j, "finished_before", finishedBefore);
    put(j, "id_prefix", idPrefix);
    return j;
  }

  public static JobFilter fromJson(JsonObject j) {
    return new JobFilter(j.getString("status"), j.getString("service"), j.getString("customer_id"),
        j.getString("worker_id"), j.getString("error_type"), j.getLong("created_after"), j.getLong("created_before"),
        j.getLong("finished_after"), j.getLong("finished_before"), j.getString("id_prefix"));
  }

  private static void put(JsonObject j, String k, Object v) {
    if (v != null) {
      j.put(k, v);
    }
  }
}
