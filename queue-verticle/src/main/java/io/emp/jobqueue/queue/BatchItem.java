package io.emp.jobqueue.queue;

import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.queue.store.SubmitResult;
import io.vertx.core.json.JsonObject;

/**
 * One job's answer in a batch submit, as it crosses the event bus: what the store answered with the
 * trace the job belongs to, or why the job was refused (any failure as the queue's typed error, so
 * the edge maps it like the failure of a single submit).
 */
public record BatchItem(SubmitResult result, String traceId, JobQueueException error) {
  public BatchItem {
    if ((result == null) == (error == null)) {
      throw new IllegalArgumentException("exactly one of result and error");
    }
  }

  public static BatchItem of(SubmitResult result, String traceId) {
    return new BatchItem(result, traceId, null);
  }

  public static BatchItem failed(Throwable error) {
    return new BatchItem(null, null, BusErrors.typed(error));
  }

  public boolean succeeded() {
    return result != null;
  }

  public JsonObject toJson() {
    return succeeded() ? result.toJson().put("trace_id", traceId)
        : new JsonObject().put("error", BusErrors.toJson(error).put("code", error.code().busCode()));
  }

  public static BatchItem fromJson(JsonObject j) {
    JsonObject err = j.getJsonObject("error");
    if (err != null) {
      JobQueueException.Code code = JobQueueException.Code.fromBusCode(err.getInteger("code"));
      return new BatchItem(null, null, BusErrors.fromJson(code, err));
    }
    return of(SubmitResult.fromJson(j), j.getString("trace_id"));
  }
}
