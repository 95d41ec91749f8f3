package io.emp.jobqueue.queue.store;

import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.model.TraceContext;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * The JSON of a stored job as the API shows it: {@link Job#toJson} plus what a job's history adds
 * (issue 11): every attempt across operator retries, the trace id of this run and of the earlier
 * ones, and when it finished.
 */
public final class JobView {
  public static final String ATTEMPTS = "attempts";
  public static final String PREVIOUS_ATTEMPTS = Job.F.PREVIOUS_ATTEMPTS;
  public static final String PREVIOUS_TRACE_IDS = Job.F.PREVIOUS_TRACE_IDS;
  public static final String RETRIED_AT = Job.F.RETRIED_AT;
  public static final String FINISHED_AT = "finished_at";
  public static final String TRACE_ID = "trace_id";

  private JobView() {
  }

  public static JsonObject json(Map<String, String> hash) {
    Job job = Job.fromHash(hash);
    JsonObject j = job.toJson();
    int earlier = intOf(hash.get(PREVIOUS_ATTEMPTS));
    j.put(ATTEMPTS, earlier + job.attempt());
    if (earlier > 0) {
      j.put(PREVIOUS_ATTEMPTS, earlier);
    }
    String traceId = TraceContext.from(hash::get).traceId();
    if (traceId != null) {
      j.put(TRACE_ID, traceId);
    }
    String prev = hash.get(PREVIOUS_TRACE_IDS);
    j.put(PREVIOUS_TRACE_IDS, prev == null || prev.isEmpty() || "{}".equals(prev) ? new JsonArray() : new JsonArray(prev));
    if (hash.get(RETRIED_AT) != null) {
      j.put(RETRIED_AT, Long.parseLong(hash.get(RETRIED_AT)));
    }
    Long finished = job.completedAt() != null ? job.completedAt()
        : job.failedAt() != null ? job.failedAt() : job.cancelledAt();
    if (finished != null) {
      j.put(FINISHED_AT, finished);
    }
    if (!j.containsKey(Job.F.ERRORS)) {
      j.put(Job.F.ERRORS, new JsonArray());
    }
    return j;
  }

  private static int intOf(String s) {
    return s == null || s.isEmpty() ? 0 : (int) Double.parseDouble(s);
  }
}
