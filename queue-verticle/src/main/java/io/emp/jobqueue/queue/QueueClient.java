package io.emp.jobqueue.queue;

import io.emp.jobqueue.core.model.JobBatch;
import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.core.model.JobSpec;
import io.emp.jobqueue.core.model.JobSpecCodec;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.queue.bus.BusTracing;
import io.emp.jobqueue.queue.control.Controls;
import io.emp.jobqueue.queue.store.JobFilter;
import io.emp.jobqueue.queue.store.SubmitResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Typed client of the queue's event-bus API; failures come back as the queue's typed exceptions.
 *
 * <p>On a clustered bus the queue may run on other nodes: Vert.x spreads requests over every node
 * with the queue role (round robin). When one fails, a request is tried again on another where
 * that is safe:
 * <ul>
 *   <li>no node with the queue role is reachable (NO_HANDLERS): the request never left, so any
 *       request is tried again after a short pause (a queue node restarting), then answers 503;</li>
 *   <li>a safe request (reads, pause/resume/drain, and a submit with an id or idempotency key, which
 *       the store answers with the job already created) is tried again when an attempt times out
 *       ({@link Options#attemptTimeoutMs}) or when a cluster member leaves while it is in flight
 *       ({@link Controls#MEMBER_LEFT}): it may have gone to that member, so it fails fast instead
 *       of waiting for the timeout;</li>
 *   <li>anything else (a cancel, a submit without a key) gets one attempt over the whole timeout:
 *       sending it twice could act twice.</li>
 * </ul>
 */
public final class QueueClient {
  public static final long DEFAULT_TIMEOUT_MS = 10_000;
  public static final long DEFAULT_ATTEMPT_TIMEOUT_MS = 3_000;
  public static final long DEFAULT_RETRY_DELAY_MS = 50;
  /** Extra tries when no queue node is reachable, with doubling pauses (50, 100, 200 ms). */
  public static final int NO_HANDLERS_RETRIES = 3;

  /**
   * @param timeoutMs the whole request, every attempt included
   * @param attemptTimeoutMs one attempt of a safe request (an unsafe one gets {@code timeoutMs})
   * @param retryDelayMs pause before the first retry; doubles per retry
   */
  public record Options(long timeoutMs, long attemptTimeoutMs, long retryDelayMs) {
    public Options {
      if (timeoutMs < 1 || attemptTimeoutMs < 1 || retryDelayMs < 0) {
        throw new IllegalArgumentException("timeouts must be >= 1 ms and the retry delay >= 0");
      }
    }

    /** One attempt over the whole timeout (the queue is in this JVM); only NO_HANDLERS is tried again. */
    public static Options of(long timeoutMs) {
      return new Options(timeoutMs, timeoutMs, DEFAULT_RETRY_DELAY_MS);
    }
  }

  /** A member left while the attempt was in flight; the request may have gone to it. */
  static final class MemberLeft extends RuntimeException {
    MemberLeft(String nodeId) {
      super("cluster member " + nodeId + " left", null, false, false);
    }
  }

  private final Vertx vertx;
  private final Options opts;
  private final BusTracing tracing;
  private final Set<Promise<JsonObject>> safeInFlight = ConcurrentHashMap.newKeySet();

  public QueueClient(Vertx vertx, Options opts, BusTracing tracing) {
    this.vertx = vertx;
    this.opts = opts;
    this.tracing = tracing;
    JobSpecCodec.register(vertx);
    // published by the launcher of a clustered node; never heard on a single node
    vertx.eventBus().<JsonObject>localConsumer(Controls.MEMBER_LEFT, m -> memberLeft(m.body().getString("node_id")));
  }

  public QueueClient(Vertx vertx, long timeoutMs) {
    this(vertx, Options.of(timeoutMs), BusTracing.none());
  }

  public QueueClient(Vertx vertx) {
    this(vertx, DEFAULT_TIMEOUT_MS);
  }

  /** Submits a spec validated at the edge; it travels as it is ({@link JobSpecCodec}), not validated again. */
  public Future<SubmitResult> submit(JobSpec spec, TraceContext trace) {
    // the store answers a repeated id or idempotency key with the job the first submit made
    boolean safe = spec.id() != null || spec.idempotencyKey() != null;
    return request(QueueAddresses.SUBMIT, spec, trace, safe).map(SubmitResult::fromJson);
  }

  /**
   * Submits many specs validated at the edge in one message; one {@link BatchItem} per spec, in order.
   * Tried again like a single submit only when every job has an id or idempotency key.
   */
  public Future<List<BatchItem>> submitAll(JobBatch batch, TraceContext trace) {
    return request(QueueAddresses.SUBMIT_BATCH, batch, trace, batch.repeatable()).map(j -> {
      JsonArray results = j.getJsonArray("results");
      List<BatchItem> items = new ArrayList<>(results.size());
      for (int i = 0; i < results.size(); i++) {
        items.add(BatchItem.fromJson(results.getJsonObject(i)));
      }
      return items;
    });
  }

  public Future<JsonObject> get(String jobId, TraceContext trace) {
    return request(QueueAddresses.GET, new JsonObject().put("job_id", jobId), trace, true);
  }

  /** Returns "cancelled" (it was waiting) or "requested" (its worker is told to stop). */
  public Future<String> cancel(String jobId, String reason, TraceContext trace) {
    return request(QueueAddresses.CANCEL, new JsonObject().put("job_id", jobId).put("reason", reason), trace, false)
        .map(j -> j.getString("outcome"));
  }

  public Future<JsonObject> list(String status, String service, int limit, String cursor, TraceContext trace) {
    return request(QueueAddresses.LIST, new JsonObject().put("status", status).put("service", service)
        .put("limit", limit).put("cursor", cursor), trace, true);
  }

  public Future<JsonObject> stats(TraceContext trace) {
    return request(QueueAddresses.STATS, new JsonObject(), trace, true);
  }

  public Future<JsonObject> events(String jobId, long afterSeq, int limit, TraceContext trace) {
    return request(QueueAddresses.EVENTS, new JsonObject().put("job_id", jobId).put("after_seq", afterSeq)
        .put("limit", limit), trace, true);
  }

  /** {workflow_id, steps: [{job_id, traceparent, trace_id}]} for the steps submitted so far. */
  public Future<JsonObject> workflow(String workflowId, TraceContext trace) {
    return request(QueueAddresses.WORKFLOW, new JsonObject().put("workflow_id", workflowId), trace, true);
  }

  /** Pauses claims of {@code service}: {service, paused: true, changed}. {@code by} names who asked (audit). */
  public Future<JsonObject> pause(String service, String by, TraceContext trace) {
    return request(QueueAddresses.PAUSE, new JsonObject().put("service", service).put("by", by), trace, true);
  }

  public Future<JsonObject> resume(String service, String by, TraceContext trace) {
    return request(QueueAddresses.RESUME, new JsonObject().put("service", service).put("by", by), trace, true);
  }

  /** {queues: [{service, paused, pending, active, delayed, completed, failed, cancelled, ...}]}. */
  public Future<JsonObject> queues(TraceContext trace) {
    return request(QueueAddresses.QUEUES, new JsonObject(), trace, true);
  }

  /** Asks a machine to drain: {machine_id, draining: true}; NOT_FOUND when it is not registered. */
  public Future<JsonObject> drain(String machineId, String by, TraceContext trace) {
    return request(QueueAddresses.DRAIN, new JsonObject().put("machine_id", machineId).put("by", by), trace, true);
  }

  /** Asks every node with workers to re-read its worker settings (see docs/deploy.md for what applies live). */
  public Future<JsonObject> reload(String by, TraceContext trace) {
    return request(QueueAddresses.RELOAD, new JsonObject().put("by", by), trace, true);
  }

  /**
   * The job browser: {jobs: [job], next_cursor}, newest created first ({@link
   * io.emp.jobqueue.queue.store.JobStore#browse}).
   */
  public Future<JsonObject> browse(JobFilter filter, int limit, String cursor, TraceContext trace) {
    return request(QueueAddresses.BROWSE, new JsonObject().put("filter", filter.toJson()).put("limit", limit)
        .put("cursor", cursor), trace, true);
  }

  /** {machines: [...]}: every live machine registration (docs/api.md, GET /api/machines). */
  public Future<JsonObject> machines(TraceContext trace) {
    return request(QueueAddresses.MACHINES, new JsonObject(), trace, true);
  }

  /** {workers: [...]}: every live worker registration (docs/api.md, GET /api/workers). */
  public Future<JsonObject> workers(TraceContext trace) {
    return request(QueueAddresses.WORKERS, new JsonObject(), trace, true);
  }

  /** Retries a failed or cancelled job: {job_id, status, attempt, trace_id, previous_trace_id}. */
  public Future<JsonObject> retry(String jobId, String by, TraceContext trace) {
    // not safe to send twice: a second retry could act on the run the first one started
    return request(QueueAddresses.RETRY, new JsonObject().put("job_id", jobId).put("by", by), trace, false);
  }

  /** Bulk retry by filter: {matched, retried, dry_run, job_ids}; a dry run changes nothing (safe). */
  public Future<JsonObject> retryMatching(JsonObject filter, String by, TraceContext trace) {
    return request(QueueAddresses.RETRY_BULK, new JsonObject().put("filter", filter).put("by", by), trace,
        filter.getBoolean("dry_run", false));
  }

  /** Queues a delayed job now: {job_id, status: pending}. */
  public Future<JsonObject> promote(String jobId, String by, TraceContext trace) {
    return request(QueueAddresses.PROMOTE, new JsonObject().put("job_id", jobId).put("by", by), trace, false);
  }

  /** Deletes a final job with its events: {job_id, deleted: true}. */
  public Future<JsonObject> delete(String jobId, String by, TraceContext trace) {
    return request(QueueAddresses.DELETE, new JsonObject().put("job_id", jobId).put("by", by), trace, false);
  }

  /** Fails the in-flight attempts of safe requests, which then go to another member. */
  void memberLeft(String nodeId) {
    for (Promise<JsonObject> p : safeInFlight) {
      p.tryFail(new MemberLeft(nodeId));
    }
  }

  private Future<JsonObject> request(String address, Object body, TraceContext trace, boolean safe) {
    return attempt(address, body, trace, safe, 1, System.currentTimeMillis() + opts.timeoutMs());
  }

  private Future<JsonObject> attempt(String address, Object body, TraceContext trace, boolean safe, int n,
                                     long deadline) {
    long remaining = deadline - System.currentTimeMillis();
    if (remaining <= 0) {
      return Future.failedFuture(JobQueueException.unavailable(
          "queue service unavailable: it did not answer in time (TIMEOUT)"));
    }
    long timeout = safe ? Math.min(opts.attemptTimeoutMs(), remaining) : remaining;
    BusTracing.Outgoing out = tracing.send(address, trace, n);
    DeliveryOptions d = out.headers(new DeliveryOptions().setSendTimeout(timeout));
    Promise<JsonObject> answer = Promise.promise();
    if (safe) {
      safeInFlight.add(answer);
    }
    vertx.eventBus().<JsonObject>request(address, body, d).onComplete(ar -> {
      if (ar.succeeded()) {
        answer.tryComplete(ar.result().body());
      } else {
        answer.tryFail(ar.cause());
      }
    });
    return answer.future().transform(ar -> {
      safeInFlight.remove(answer);
      out.end(ar.failed() ? ar.cause() : null);
      if (ar.succeeded()) {
        return Future.succeededFuture(ar.result());
      }
      Throwable err = ar.cause();
      long pause = opts.retryDelayMs() << Math.min(n - 1, 10);
      if (retryable(err, safe, n) && deadline - System.currentTimeMillis() > pause) {
        Promise<Void> later = Promise.promise();
        vertx.setTimer(Math.max(1, pause), t -> later.complete());
        return later.future().compose(v -> attempt(address, body, trace, safe, n + 1, deadline));
      }
      return Future.failedFuture(err instanceof MemberLeft
          ? JobQueueException.unavailable("queue service unavailable: " + err.getMessage())
          : BusErrors.decode(err));
    });
  }

  private static boolean retryable(Throwable err, boolean safe, int attempt) {
    if (err instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS) {
      return attempt <= NO_HANDLERS_RETRIES;
    }
    if (!safe) {
      return false;
    }
    return err instanceof MemberLeft
        || (err instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT);
  }
}
