package io.emp.jobqueue.queue.store;

import io.emp.jobqueue.core.model.Failure;
import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.model.JobEvent;
import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.core.model.JobQueueException.Code;
import io.emp.jobqueue.core.model.JobSpec;
import io.emp.jobqueue.core.model.JobStatus;
import io.emp.jobqueue.core.model.LeaseLostException;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.core.model.WorkerCapabilities;
import io.emp.jobqueue.queue.store.Scripts.Name;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The durable queue: every state change is one Lua script, so a job is never half-written.
 * Thread-safe and non-blocking; share one instance per verticle or per Vert.x instance.
 */
public final class JobStore {
  private final Redis redis;
  private final RedisKeys keys;
  private final Scripts scripts;
  private final StoreConfig cfg;

  private JobStore(Redis redis, RedisKeys keys, Scripts scripts, StoreConfig cfg) {
    this.redis = redis;
    this.keys = keys;
    this.scripts = scripts;
    this.cfg = cfg;
  }

  /**
   * Connects, loads the scripts and checks that Redis answers; while Redis is unreachable, tries again
   * with backoff for {@code cfg.connectTimeoutMs()} ({@link ConnectRetry}).
   */
  public static Future<JobStore> connect(Vertx vertx, StoreConfig cfg) {
    return ConnectRetry.retry(vertx, cfg, "job store", () -> connectOnce(vertx, cfg));
  }

  private static Future<JobStore> connectOnce(Vertx vertx, StoreConfig cfg) {
    RedisKeys keys = new RedisKeys(cfg.namespace());
    Redis redis = RedisClients.pooled(vertx, cfg);
    return vertx.executeBlocking(() -> Scripts.build(keys, cfg))
        .compose(scripts -> scripts.preload(redis).map(v -> new JobStore(redis, keys, scripts, cfg)))
        .recover(err -> {
          redis.close();
          return Future.failedFuture(mapError(err));
        });
  }

  public StoreConfig config() {
    return cfg;
  }

  public RedisKeys keys() {
    return keys;
  }

  /** The underlying client, for callers that need raw commands (subscriptions, health checks). */
  public Redis redis() {
    return redis;
  }

  public Future<Void> close() {
    redis.close();
    return Future.succeededFuture();
  }

  public Future<Void> ping() {
    return send(Request.cmd(Command.PING)).mapEmpty();
  }

  // ---------------------------------------------------------------- submit

  /**
   * Stores a new job and queues it, or returns the job an earlier submit with the same id or
   * idempotency key created. A {@link JobSpec} cannot be invalid (it is validated where it is made,
   * against the node's limits), so it is stored as it is.
   * {@code spec.trace()} is the context of the submitting span: stored in the job for the worker to
   * continue, and carried by the job_submitted event.
   */
  public Future<SubmitResult> submit(JobSpec valid) {
    String id = valid.id() != null ? valid.id() : UUID.randomUUID().toString();
    List<String> args = new ArrayList<>(48);
    args.add(tp(valid.trace()));
    args.add(id);
    args.add(valid.id() != null ? "1" : "0");
    args.add(nz(valid.idempotencyKey()));
    args.add(valid.serviceRequired());
    args.add(Integer.toString(valid.effectivePriority()));
    args.add(valid.workflowDatetime() == null ? "" : Long.toString(valid.workflowDatetime()));
    args.add(Integer.toString(cfg.maxPendingPerService()));
    args.add(nz(valid.workflowId()));
    hashFields(id, valid, args);
    return callReplicated(Name.SUBMIT, args).map(r -> {
      String kind = r.get(0).toString();
      switch (kind) {
        case "OK":
          return new SubmitResult(id, true, JobStatus.PENDING, r.get(3).toLong(), r.get(4).toLong(),
              r.get(6).toLong(), traces(toMap(r.get(7))));
        case "EXISTS":
          return new SubmitResult(r.get(1).toString(), false, JobStatus.fromWire(r.get(2).toString()),
              r.get(3).toLong(), r.get(4).toLong(), 0, Map.of());
        case "FULL":
          throw new JobQueueException(Code.QUEUE_FULL, "queue for service '" + valid.serviceRequired()
              + "' holds its maximum of " + r.get(1) + " pending jobs; retry later");
        default:
          throw new JobQueueException(Code.INTERNAL, "unexpected submit reply " + kind);
      }
    });
  }

  private static void hashFields(String id, JobSpec s, List<String> a) {
    pair(a, Job.F.ID, id);
    pair(a, Job.F.SERVICE, s.serviceRequired());
    pair(a, Job.F.PRIORITY, s.priority());
    pair(a, Job.F.PAYLOAD, s.payloadJson());
    if (!s.requirements().isEmpty()) {
      pair(a, Job.F.REQUIREMENTS, s.requirements().toJson().encode());
    }
    pair(a, Job.F.CUSTOMER, s.customerId());
    pair(a, Job.F.WORKFLOW, s.workflowId());
    pair(a, Job.F.WORKFLOW_PRIORITY, s.workflowPriority());
    pair(a, Job.F.WORKFLOW_DATETIME, s.workflowDatetime());
    pair(a, Job.F.CURRENT_STEP, s.currentStep());
    pair(a, Job.F.TOTAL_STEPS, s.totalSteps());
    pair(a, Job.F.MAX_RETRIES, s.maxRetries());
    pair(a, Job.F.CTX, s.ctxJson());
    pair(a, Job.F.REQUEST_ID, s.requestId());
    pair(a, Job.F.SESSION, s.clientSessionId());
    pair(a, Job.F.CORRELATION, s.correlationId());
    pair(a, Job.F.TIMEOUT_MS, s.timeoutMs());
    pair(a, Job.F.IDEMPOTENCY_KEY, s.idempotencyKey());
    s.trace().toMap().forEach((k, v) -> pair(a, k, v));
  }

  private static void pair(List<String> a, String k, Object v) {
    if (v != null) {
      a.add(k);
      a.add(v.toString());
    }
  }

  // ---------------------------------------------------------------- worker side

  /**
   * Claims the best pending job across the worker's services that the worker satisfies, looking
   * at no more than {@code scanLimit} entries per service, and leases it for {@code leaseMs}.
   */
  public Future<ClaimResult> claim(WorkerCapabilities caps, int scanLimit, long leaseMs) {
    if (scanLimit < 1 || leaseMs < 1 || caps.services().isEmpty()) {
      return Future.failedFuture(new IllegalArgumentException("scanLimit, leaseMs >= 1 and services required"));
    }
    String token = newToken();
    List<String> args = new ArrayList<>(8 + caps.services().size());
    args.add("");
    args.add(caps.workerId());
    args.add(token);
    args.add(Long.toString(leaseMs));
    args.add(Integer.toString(scanLimit));
    args.add(caps.isServiceOnly() ? "" : caps.toJson().encode());
    args.addAll(caps.services());
    return call(Name.CLAIM, args).map(r -> {
      int evaluated = r.get(1).toInteger();
      long pending = r.get(2).toLong();
      if (!"OK".equals(r.get(0).toString())) {
        return new ClaimResult(Optional.empty(), evaluated, pending);
      }
      Job job = Job.fromHash(toMap(r.get(4)));
      return new ClaimResult(Optional.of(new ClaimedJob(job, token, evaluated, pending, r.get(3).toLong())),
          evaluated, pending);
    });
  }

  /** Extends the lease. Fails with {@link LeaseLostException} when the token no longer owns the job. */
  public Future<LeaseState> renewLease(String jobId, String token, long leaseMs) {
    return call(Name.RENEW, List.of("", jobId, token, Long.toString(leaseMs)))
        .map(r -> new LeaseState("1".equals(fenced(jobId, r).get(1).toString())));
  }

  /**
   * Records progress (moving an assigned job to in_progress) and, when {@code leaseMs > 0}, renews
   * the lease in the same step. {@code progress} null leaves the percentage as it was.
   */
  public Future<LeaseState> progress(String jobId, String token, Integer progress, String message, long leaseMs,
                                     TraceContext trace) {
    if (progress != null && (progress < 0 || progress > 100)) {
      return Future.failedFuture(new IllegalArgumentException("progress must be within 0..100"));
    }
    return call(Name.PROGRESS, List.of(tp(trace), jobId, token, Long.toString(Math.max(0, leaseMs)),
        progress == null ? "" : progress.toString(), nz(message)))
        .map(r -> new LeaseState("1".equals(fenced(jobId, r).get(1).toString())));
  }

  /** Marks the job completed with its result; returns the completion time (Redis clock, ms). */
  public Future<Long> complete(String jobId, String token, JsonObject result, TraceContext trace) {
    String json = (result == null ? new JsonObject() : result).encode();
    return callReplicated(Name.COMPLETE, List.of(tp(trace), jobId, token, json))
        .map(r -> fenced(jobId, r).get(1).toLong());
  }

  /** Ends the attempt: a retry after backoff, a final failure (dead letter), or a cancellation. */
  public Future<FailOutcome> fail(String jobId, String token, Failure failure, TraceContext trace) {
    JsonObject err = failure.toJson();
    return call(Name.FAIL, List.of(tp(trace), jobId, token, failure.kind().wire(), err.encode(),
        Double.toString(ThreadLocalRandom.current().nextDouble())))
        .map(r -> outcome(fenced(jobId, r)));
  }

  /** Hands the job back to its queue place without counting an attempt (a draining worker). */
  public Future<Void> release(String jobId, String token, TraceContext trace) {
    return call(Name.RELEASE, List.of(tp(trace), jobId, token)).map(r -> {
      fenced(jobId, r);
      return null;
    });
  }

  private static Response fenced(String jobId, Response r) {
    if ("LOST".equals(r.get(0).toString())) {
      throw new LeaseLostException(jobId, r.get(1).toString());
    }
    return r;
  }

  private static FailOutcome outcome(Response r) {
    return switch (r.get(0).toString()) {
      case "RETRY" -> new FailOutcome(FailOutcome.Kind.RETRY_SCHEDULED, r.get(1).toLong());
      case "DEAD" -> new FailOutcome(FailOutcome.Kind.FAILED, null);
      case "CANCELLED" -> new FailOutcome(FailOutcome.Kind.CANCELLED, null);
      default -> throw new JobQueueException(Code.INTERNAL, "unexpected fail reply " + r.get(0));
    };
  }

  // ---------------------------------------------------------------- client side

  /** Cancels a waiting job at once, or asks the worker of a running job to stop. */
  public Future<CancelOutcome> cancel(String jobId, String reason, TraceContext trace) {
    return cancelJob(jobId, reason, trace).map(Cancellation::outcome);
  }

  /**
   * As {@link #cancel}, also naming the worker that holds a running job: the cancel flag in the job
   * is the durable record the worker sees at its next lease renewal; the caller may tell it sooner.
   */
  public Future<Cancellation> cancelJob(String jobId, String reason, TraceContext trace) {
    return call(Name.CANCEL, List.of(tp(trace), jobId, reason == null ? "cancelled by client" : reason))
        .map(r -> switch (r.get(0).toString()) {
          case "CANCELLED" -> new Cancellation(CancelOutcome.CANCELLED, null);
          case "REQUESTED" -> new Cancellation(CancelOutcome.REQUESTED,
              r.size() > 1 && !r.get(1).toString().isEmpty() ? r.get(1).toString() : null);
          case "NOTFOUND" -> throw JobQueueException.notFound("job " + jobId);
          default -> throw new JobQueueException(Code.CONFLICT,
              "job " + jobId + " is already " + r.get(1) + " and cannot be cancelled");
        });
  }

  // ---------------------------------------------------------------- pause / resume

  /**
   * Pauses claims from {@code service}: the claim script skips it from now on, on every worker.
   * Submits are still accepted and running jobs finish. Answers whether it was running before.
   */
  public Future<Boolean> pause(String service) {
    if (!isServiceName(service)) {
      return Future.failedFuture(badService());
    }
    return send(Request.cmd(Command.SADD).arg(keys.paused()).arg(service)).map(r -> r.toInteger() == 1);
  }

  /**
   * Lets workers claim from {@code service} again and wakes them (the wake channel), so idle
   * workers claim at once even where no control broadcast reaches them. Answers whether it was paused.
   */
  public Future<Boolean> resume(String service) {
    if (!isServiceName(service)) {
      return Future.failedFuture(badService());
    }
    return redis.batch(List.of(Request.cmd(Command.SREM).arg(keys.paused()).arg(service),
            Request.cmd(Command.PUBLISH).arg(keys.wake(service)).arg("resume")))
        .recover(err -> Future.failedFuture(mapError(err)))
        .map(r -> r.get(0).toInteger() == 1);
  }

  /** The services whose claims are paused now. */
  public Future<java.util.Set<String>> pausedServices() {
    return send(Request.cmd(Command.SMEMBERS).arg(keys.paused())).map(r -> {
      java.util.Set<String> out = new java.util.TreeSet<>();
      if (r != null) {
        r.forEach(x -> out.add(x.toString()));
      }
      return out;
    });
  }

  /** The shape JobSpec accepts for service_required. */
  static boolean isServiceName(String service) {
    return service != null && service.matches("[A-Za-z0-9_.\\-]{1,100}");
  }

  private static JobQueueException badService() {
    return new JobQueueException(Code.VALIDATION, "service must be 1-100 letters, digits, '-', '_' or '.'");
  }

  // ---------------------------------------------------------------- operator actions (issue 11)

  /** What a retry replaced: the previous run's trace context (empty if none) and its attempts. */
  public record Retried(TraceContext previous, int previousAttempts) {
  }

  /**
   * Retries a failed or cancelled job under the same id (retry.lua): CONFLICT for any other status,
   * NOT_FOUND when it does not exist. {@code newTrace} is the retry span's context, which the new run
   * carries; {@code by} names who asked (audit event job_retried).
   */
  public Future<Retried> retry(String jobId, String by, TraceContext newTrace) {
    return retryAll(List.of(Map.entry(jobId, newTrace)), by).map(r -> {
      if (r.get(0).failed()) {
        throw (RuntimeException) r.get(0).cause();
      }
      return r.get(0).result();
    });
  }

  /**
   * Retries a batch of jobs in one script call (a bulk retry): one outcome per job, in order; a job
   * that cannot be retried is a failed future (NOT_FOUND, CONFLICT) in its place, never a failure of all.
   */
  public Future<List<Future<Retried>>> retryAll(List<Map.Entry<String, TraceContext>> jobs, String by) {
    List<String> args = new ArrayList<>(2 + 2 * jobs.size());
    args.add("");
    args.add(nz(by));
    for (Map.Entry<String, TraceContext> j : jobs) {
      JsonObject fields = new JsonObject();
      j.getValue().toMap().forEach(fields::put);
      args.add(j.getKey());
      args.add(fields.encode());
    }
    return call(Name.RETRY, args).map(r -> {
      List<Future<Retried>> out = new ArrayList<>(jobs.size());
      for (int i = 0; i < jobs.size(); i++) {
        Response one = r.get(i);
        try {
          acted(jobs.get(i).getKey(), one, "retried (only failed or cancelled jobs can be)");
          out.add(Future.succeededFuture(new Retried(TraceContext.of(one.get(1).toString()), one.get(2).toInteger())));
        } catch (JobQueueException e) {
          out.add(Future.failedFuture(e));
        }
      }
      return out;
    });
  }

  /** Queues a delayed job now (promote_now.lua); CONFLICT unless it is delayed. */
  public Future<Void> promoteNow(String jobId, String by, TraceContext trace) {
    return call(Name.PROMOTE_NOW, List.of(tp(trace), jobId, nz(by)))
        .map(r -> {
          acted(jobId, r, "promoted (only delayed jobs can be)");
          return null;
        });
  }

  /**
   * Deletes a final job with its event stream and index entries (delete.lua); CONFLICT unless it is
   * completed, failed or cancelled. The audit event job_deleted goes to the global stream.
   */
  public Future<Void> delete(String jobId, String by, TraceContext trace) {
    return call(Name.DELETE, List.of(tp(trace), jobId, nz(by)))
        .map(r -> {
          acted(jobId, r, "deleted (only completed, failed or cancelled jobs can be)");
          return null;
        });
  }

  private static void acted(String jobId, Response r, String what) {
    switch (r.get(0).toString()) {
      case "OK" -> {
      }
      case "NOTFOUND" -> throw JobQueueException.notFound("job " + jobId);
      case "CONFLICT" -> throw new JobQueueException(Code.CONFLICT, "job " + jobId + " is " + r.get(1)
          + " and cannot be " + what);
      default -> throw new JobQueueException(Code.INTERNAL, "unexpected reply " + r.get(0));
    }
  }

  /**
   * The ids of the failed or cancelled jobs a bulk retry takes, newest finished first (read only):
   * matching the service, the type of the last error and the finish time range (exclusive, ms; null = any).
   */
  public Future<List<String>> selectForRetry(JobStatus status, String service, String errorType, Long finishedAfter,
                                            Long finishedBefore, int limit) {
    if (status != JobStatus.FAILED && status != JobStatus.CANCELLED) {
      return Future.failedFuture(new JobQueueException(Code.VALIDATION, "status must be failed or cancelled"));
    }
    return call(Name.SELECT_RETRY, List.of("", status.wire(), nz(service), nz(errorType),
        finishedAfter == null ? "" : finishedAfter.toString(), finishedBefore == null ? "" : finishedBefore.toString(),
        Integer.toString(limit), Integer.toString(Math.max(limit * 4, 10_000)))).map(r -> {
          List<String> ids = new ArrayList<>(r.size());
          r.forEach(x -> ids.add(x.toString()));
          return ids;
        });
  }

  // ---------------------------------------------------------------- job browser (issue 11)

  /** Index entries one browse.lua call looks at: each call stays short, as it blocks Redis. */
  static final int BROWSE_BUDGET = 2_000;
  /** Calls one page may take; past that the page is returned short, with a cursor to go on from. */
  static final int BROWSE_MAX_CALLS = 50;
  private static final java.util.regex.Pattern BROWSE_CURSOR =
      java.util.regex.Pattern.compile("\\d{1,15}:[A-Za-z0-9_.~\\-]{1,400}");

  /**
   * Jobs matching {@code filter}, newest created first, after {@code cursor} (null = from the newest).
   * A page holds {@code limit} jobs whenever that many match (the cursor is the last job's creation
   * time and id, so no job is skipped or repeated); only a filter that matches almost nothing over a
   * very long history can end a page short (after {@link #BROWSE_MAX_CALLS} calls), with a cursor.
   */
  public Future<BrowsePage> browse(JobFilter filter, int limit, String cursor) {
    if (limit < 1 || limit > 500) {
      return Future.failedFuture(new JobQueueException(Code.VALIDATION, "limit must be within 1..500"));
    }
    if (cursor != null && !cursor.isEmpty() && !BROWSE_CURSOR.matcher(cursor).matches()) {
      return Future.failedFuture(new JobQueueException(Code.VALIDATION, "cursor is not one this API returned"));
    }
    return browseFrom(filter.toJson().encode(), limit, cursor == null ? "" : cursor, new ArrayList<>(), 1);
  }

  private Future<BrowsePage> browseFrom(String filter, int limit, String position, List<Map<String, String>> acc,
                                        int calls) {
    // one more than the page: whether anything follows decides between a cursor and null
    int want = limit + 1 - acc.size();
    return call(Name.BROWSE, List.of("", filter, position, Integer.toString(want), Integer.toString(BROWSE_BUDGET)))
        .compose(r -> {
          for (int i = 2; i < r.size(); i++) {
            acc.add(toMap(r.get(i)));
          }
          if (acc.size() > limit) {
            Map<String, String> last = acc.get(limit - 1);
            return Future.succeededFuture(page(acc.subList(0, limit),
                last.get(Job.F.CREATED_AT) + ":" + last.get(Job.F.ID)));
          }
          String pos = r.get(0).toString();
          if ("1".equals(r.get(1).toString()) || pos.isEmpty()) {
            return Future.succeededFuture(page(acc, null));
          }
          if (calls >= BROWSE_MAX_CALLS) {
            return Future.succeededFuture(page(acc, pos));
          }
          return browseFrom(filter, limit, pos, acc, calls + 1);
        });
  }

  private static BrowsePage page(List<Map<String, String>> hashes, String next) {
    return new BrowsePage(hashes.stream().map(JobView::json).toList(), next);
  }

  /** The job as the API shows it ({@link JobView}), or empty. */
  public Future<Optional<JsonObject>> view(String jobId) {
    return send(Request.cmd(Command.HGETALL).arg(keys.job(jobId))).map(r -> {
      Map<String, String> h = toMap(r);
      return h.isEmpty() ? Optional.<JsonObject>empty() : Optional.of(JobView.json(h));
    });
  }

  public Future<Optional<Job>> get(String jobId) {
    return send(Request.cmd(Command.HGETALL).arg(keys.job(jobId))).map(r -> {
      Map<String, String> h = toMap(r);
      return h.isEmpty() ? Optional.<Job>empty() : Optional.of(Job.fromHash(h));
    });
  }

  /** The steps of a workflow submitted so far: job id -> the trace context of its submit span. */
  public Future<Map<String, TraceContext>> workflowSteps(String workflowId) {
    return send(Request.cmd(Command.HGETALL).arg(keys.workflow(workflowId))).map(r -> traces(toMap(r)));
  }

  /** Job id -> traceparent, as the workflow hash stores it, read into trace contexts. */
  private static Map<String, TraceContext> traces(Map<String, String> steps) {
    Map<String, TraceContext> out = new java.util.LinkedHashMap<>();
    steps.forEach((job, tp) -> out.put(job, TraceContext.of(tp)));
    return out;
  }

  /** Lists jobs by status and/or service (null = any), newest first for final states, queue order for pending. */
  public Future<JobPage> list(JobStatus status, String service, int limit, String cursor) {
    if (limit < 1 || limit > 500) {
      return Future.failedFuture(new JobQueueException(Code.VALIDATION, "limit must be within 1..500"));
    }
    if (cursor != null && !cursor.isEmpty() && !cursor.matches("\\d{1,2}:\\d{1,9}")) {
      return Future.failedFuture(new JobQueueException(Code.VALIDATION, "cursor is not one this API returned"));
    }
    return call(Name.LIST, List.of("", status == null ? "" : status.wire(), nz(service), nz(cursor),
        Integer.toString(limit))).map(r -> {
          List<Job> jobs = new ArrayList<>(r.size() - 1);
          for (int i = 1; i < r.size(); i++) {
            jobs.add(Job.fromHash(toMap(r.get(i))));
          }
          String next = r.get(0).toString();
          return new JobPage(jobs, next.isEmpty() ? null : next);
        });
  }

  public Future<List<ServiceStats>> stats() {
    return call(Name.STATS, List.of("")).map(r -> {
      List<ServiceStats> out = new ArrayList<>(r.size());
      for (Response s : r) {
        out.add(new ServiceStats(s.get(0).toString(), s.get(1).toLong(), s.get(2).toLong(), s.get(3).toLong(),
            s.get(4).toLong(), s.get(5).toLong(), s.get(6).toLong(), s.get(7).toLong()));
      }
      return out;
    });
  }

  /** The job's events with seq greater than {@code afterSeq}, in order (from its capped stream). */
  public Future<List<JobEvent>> events(String jobId, long afterSeq, int limit) {
    return send(Request.cmd(Command.XRANGE).arg(keys.jobEvents(jobId)).arg("0-" + (afterSeq + 1)).arg("+")
        .arg("COUNT").arg(limit)).map(r -> entries(r, false));
  }

  /** Global stream entries strictly after {@code afterId} ("0" or "$"-less start: "0-0"). */
  public Future<List<JobEvent>> globalEvents(String afterId, int limit) {
    return send(Request.cmd(Command.XRANGE).arg(keys.events()).arg("(" + afterId).arg("+").arg("COUNT").arg(limit))
        .map(r -> entries(r, true));
  }

  static List<JobEvent> entries(Response r, boolean keepIds) {
    List<JobEvent> out = new ArrayList<>(r == null ? 0 : r.size());
    if (r == null) {
      return out;
    }
    for (Response e : r) {
      out.add(JobEvent.fromFields(keepIds ? e.get(0).toString() : null, toMap(e.get(1))));
    }
    return out;
  }

  // ---------------------------------------------------------------- housekeeping

  /** Retries or fails jobs whose lease has run out (Redis clock); returns how many were reaped. */
  public Future<Integer> reapExpiredLeases(int batch) {
    return call(Name.REAP, List.of("", Integer.toString(batch),
        Double.toString(ThreadLocalRandom.current().nextDouble()))).map(r -> r.size() / 2);
  }

  /** Moves delayed jobs whose backoff is over back to their queue place; returns how many. */
  public Future<Integer> promoteDue(int batch) {
    return call(Name.PROMOTE, List.of("", Integer.toString(batch))).map(Response::toInteger);
  }

  /** Drops index entries of final jobs past their retention. */
  public Future<Long> trimIndexes() {
    return call(Name.TRIM, List.of("")).map(Response::toLong);
  }

  // ---------------------------------------------------------------- plumbing

  /** Runs one of the store's scripts (for the machine registry, which shares them). */
  Future<Response> script(Name name, List<String> args) {
    return call(name, args);
  }

  private Future<Response> call(Name name, List<String> args) {
    return scripts.call(redis, name, args).recover(err -> Future.failedFuture(mapError(err)));
  }

  /**
   * A script whose write must reach {@code wait_replicas} replicas before it counts as done (submit,
   * complete). {@code WAIT} only counts the writes of the connection it runs on, so script and wait
   * share one connection taken from the pool. Fewer replicas in time fail the call as unavailable,
   * although the master holds the write: the caller cannot know whether it survives a failover.
   */
  private Future<Response> callReplicated(Name name, List<String> args) {
    int replicas = cfg.waitReplicas();
    if (replicas == 0) {
      return call(name, args);
    }
    return redis.connect().compose(conn -> scripts.call(conn::send, name, args)
            .compose(r -> conn.send(Request.cmd(Command.WAIT).arg(replicas).arg(cfg.waitTimeoutMs()))
                .map(acked -> {
                  if (acked == null || acked.toInteger() < replicas) {
                    throw notReplicated(acked == null ? 0 : acked.toInteger());
                  }
                  return r;
                }))
            .eventually(conn::close))
        .recover(err -> Future.failedFuture(mapError(err)));
  }

  private JobQueueException notReplicated(int acked) {
    return JobQueueException.unavailable("the write reached the Redis master but " + acked + " of "
        + cfg.waitReplicas() + " replicas confirmed it within " + cfg.waitTimeoutMs()
        + " ms (queue.store.wait_replicas), so a failover now could lose it; retry later (a submit retried with "
        + "the same job id or idempotency_key returns the job if it was kept)");
  }

  private Future<Response> send(Request req) {
    return redis.send(req).recover(err -> Future.failedFuture(mapError(err)));
  }

  static Throwable mapError(Throwable err) {
    if (err instanceof JobQueueException || err instanceof IllegalArgumentException) {
      return err;
    }
    // one line: the sentinel client lists each sentinel's failure on a line of its own
    String msg = String.valueOf(err.getMessage()).replaceAll("\\s*\\R\\s*", "; ");
    // A master that became a replica (READONLY), a replica that lost its master (MASTERDOWN) and a
    // server still loading its data are all "wait and retry", whatever prefix a script wraps them in.
    if (msg.contains("READONLY") || msg.contains("MASTERDOWN") || msg.startsWith("LOADING")) {
      return new JobQueueException(Code.UNAVAILABLE, "redis unavailable: " + msg);
    }
    if (msg.startsWith("ERR") || msg.startsWith("WRONGTYPE")) {
      return new JobQueueException(Code.INTERNAL, "redis script error: " + msg);
    }
    return new JobQueueException(Code.UNAVAILABLE, "redis unavailable: " + msg);
  }

  static Map<String, String> toMap(Response r) {
    Map<String, String> m = new HashMap<>();
    if (r == null) {
      return m;
    }
    for (int i = 0; i + 1 < r.size(); i += 2) {
      m.put(r.get(i).toString(), r.get(i + 1).toString());
    }
    return m;
  }

  private static String newToken() {
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    return Long.toHexString(rnd.nextLong()) + Long.toHexString(rnd.nextLong());
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }

  /** The traceparent a script stamps on the events it writes ('' for none). */
  private static String tp(TraceContext trace) {
    return trace == null || trace.traceparent() == null ? "" : trace.traceparent();
  }
}
