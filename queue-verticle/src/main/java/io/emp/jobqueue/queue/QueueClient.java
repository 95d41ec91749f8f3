package io.emp.jobqueue.queue;

import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.queue.store.SubmitResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

/** Typed client of the queue's event-bus API; failures come back as the queue's typed exceptions. */
public final class QueueClient {
  public static final long DEFAULT_TIMEOUT_MS = 10_000;
  private final Vertx vertx;
  private final long timeoutMs;

  public QueueClient(Vertx vertx, long timeoutMs) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
  }

  public QueueClient(Vertx vertx) {
    this(vertx, DEFAULT_TIMEOUT_MS);
  }

  public Future<SubmitResult> submit(JsonObject job, TraceContext trace) {
    return request(QueueAddresses.SUBMIT, job, trace).map(SubmitResult::fromJson);
  }

  public Future<JsonObject> get(String jobId, TraceContext trace) {
    return request(QueueAddresses.GET, new JsonObject().put("job_id", jobId), trace);
  }

  /** Returns "cancelled" (it was waiting) or "requested" (its worker is told to stop). */
  public Future<String> cancel(String jobId, String reason, TraceContext trace) {
    return request(QueueAddresses.CANCEL, new JsonObject().put("job_id", jobId).put("reason", reason), trace)
        .map(j -> j.getString("outcome"));
  }

  public Future<JsonObject> list(String status, String service, int limit, String cursor, TraceContext trace) {
    return request(QueueAddresses.LIST, new JsonObject().put("status", status).put("service", service)
        .put("limit", limit).put("cursor", cursor), trace);
  }

  public Future<JsonObject> stats(TraceContext trace) {
    return request(QueueAddresses.STATS, new JsonObject(), trace);
  }

  public Future<JsonObject> events(String jobId, long afterSeq, int limit, TraceContext trace) {
    return request(QueueAddresses.EVENTS, new JsonObject().put("job_id", jobId).put("after_seq", afterSeq)
        .put("limit", limit), trace);
  }

  /** {workflow_id, steps: [{job_id, traceparent, trace_id}]} for the steps submitted so far. */
  public Future<JsonObject> workflow(String workflowId, TraceContext trace) {
    return request(QueueAddresses.WORKFLOW, new JsonObject().put("workflow_id", workflowId), trace);
  }

  private Future<JsonObject> request(String address, JsonObject body, TraceContext trace) {
    DeliveryOptions opts = new DeliveryOptions().setSendTimeout(timeoutMs);
    if (trace != null) {
      trace.toMap().forEach(opts::addHeader);
    }
    return vertx.eventBus().<JsonObject>request(address, body, opts)
        .map(m -> m.body())
        .recover(err -> Future.failedFuture(BusErrors.decode(err)));
  }
}
