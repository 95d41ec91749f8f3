package io.emp.jobqueue.queue.store;

import static io.emp.jobqueue.queue.store.StoreReplies.fenced;
import static io.emp.jobqueue.queue.store.StoreReplies.mapError;
import static io.emp.jobqueue.queue.store.StoreReplies.outcome;
import static io.emp.jobqueue.queue.store.StoreReplies.nz;
import static io.emp.jobqueue.queue.store.StoreReplies.toMap;
import static io.emp.jobqueue.queue.store.StoreReplies.tp;

import io.emp.jobqueue.core.model.Failure;
import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.model.JobSpec;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The durable queue: every state change is one Lua script, so a job is never half-written.
 * Thread-safe and non-blocking; share one instance per verticle or per Vert.x instance.
 */
public final class JobStore {
  private final Redis redis;
  private final Shards shards;
  private final Scripts scripts;
  private final StoreConfig cfg;
  private final ShardedClaim sharded;
  /** Direct connections to shard masters, for WAIT on Redis Cluster; null unless wait_replicas is on there. */
  private final ShardMasters masters;

  private final OperatorActions operator;
  private final JobQueries queries;
  private final BatchSubmit batch;

  private JobStore(Vertx vertx, Redis redis, Scripts scripts, StoreConfig cfg) {
    this.redis = redis;
    this.shards = new Shards(cfg);
    this.scripts = scripts;
    this.cfg = cfg;
    this.operator = new OperatorActions(this);
    this.queries = new JobQueries(this);
    this.batch = new BatchSubmit(redis, scripts, cfg, shards);
    this.sharded = new ShardedClaim(this);
    this.masters = cfg.waitReplicas() > 0 && cfg.endpoint().topology() == RedisEndpoint.Topology.CLUSTER
        ? new ShardMasters(vertx, cfg) : null;
  }

  /** What an operator does to jobs and queues: retry, promote, delete, pause and resume. */
  public OperatorActions operator() {
    return operator;
  }

  /** Reads for the API and monitors: the job browser, views, events, stats, workflows. */
  public JobQueries queries() {
    return queries;
  }

  /**
   * Connects, loads the scripts and checks that Redis answers; while Redis is unreachable, tries again
   * with backoff for {@code cfg.connectTimeoutMs()} ({@link ConnectRetry}).
   */
  public static Future<JobStore> connect(Vertx vertx, StoreConfig cfg) {
    return ConnectRetry.retry(vertx, cfg, "job store", () -> connectOnce(vertx, cfg));
  }

  private static Future<JobStore> connectOnce(Vertx vertx, StoreConfig cfg) {
    Redis redis = new PipelinedRedis(RedisClients.pooled(vertx, cfg), RedisClients.pipelines(vertx, cfg));
    return vertx.executeBlocking(() -> Scripts.build(cfg))
        .compose(scripts -> scripts.preload(redis).map(v -> new JobStore(vertx, redis, scripts, cfg)))
        .recover(err -> {
          redis.close();
          return Future.failedFuture(mapError(err));
        });
  }

  public StoreConfig config() {
    return cfg;
  }

  /**
   * The control keys (machines, workers, monitor stream, wake channels); with one shard (the default)
   * also every job key. Per-job keys of a sharded store: {@code shards().of(jobId)}.
   */
  public RedisKeys keys() {
    return shards.control();
  }

  /** Which shard holds what. */
  public Shards shards() {
    return shards;
  }

  /** The underlying client, for callers that need raw commands (subscriptions, health checks). */
  public Redis redis() {
    return redis;
  }

  public Future<Void> close() {
    redis.close();
    if (masters != null) {
      masters.close();
    }
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
    String id = shards.idFor(valid);
    return callReplicated(shards.of(id), Name.SUBMIT, SubmitArgs.of(id, valid, cfg.maxPendingPerService()))
        .map(r -> {
          hintWork(id);
          return StoreReplies.submitted(id, valid, r);
        });
  }

  /**
   * {@link #submit} of many jobs in one round trip: every job's script call is pipelined on one
   * connection ({@link BatchSubmit}). Each job is its own script run, so the outcomes are per job, in
   * the order of {@code valid}: a full queue or a failed call refuses that job only. Fails as a whole
   * only when no connection can be had.
   */
  public Future<List<SubmitOutcome>> submitAll(List<JobSpec> valid) {
    if (masters != null) {
      // each job's WAIT must follow its script on its shard master's connection: one submit each
      return Future.join(valid.stream().map(spec -> submit(spec).map(SubmitOutcome::of)
          .otherwise(err -> SubmitOutcome.failed(mapError(err)))).toList()).map(cf -> cf.<SubmitOutcome>list());
    }
    return batch.submit(valid).onSuccess(out -> out.stream().filter(SubmitOutcome::succeeded)
        .forEach(o -> hintWork(o.result().jobId())));
  }

  /**
   * Job {@code jobId} was just submitted (by any node: a worker passes on the id its wake channel
   * carries): on a sharded store the next claims ask its shard first. Nothing else changes; a wrong or
   * stale hint costs one claim call.
   */
  public void hintWork(String jobId) {
    if (shards.count() > 1 && jobId != null) {
      sharded.hint(shards.index(jobId));
    }
  }

  // ---------------------------------------------------------------- worker side

  /**
   * Claims the best pending job across the worker's services that the worker satisfies, looking
   * at no more than {@code scanLimit} entries per service, and leases it for {@code leaseMs}.
   */
  public Future<ClaimResult> claim(WorkerCapabilities caps, int scanLimit, long leaseMs) {
    ClaimRequest req;
    try {
      req = new ClaimRequest(caps, scanLimit, leaseMs, 1);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    return claim(req).map(b -> new ClaimResult(b.jobs().stream().findFirst(), b.jobsEvaluated(), b.pendingCount()));
  }

  /**
   * Claims up to {@code req.max()} jobs in one call, each the one a lone {@link #claim} would take
   * at that point (same matching, pause and avoid rules), each with its own token and lease.
   */
  public Future<ClaimBatch> claim(ClaimRequest req) {
    return shards.count() == 1 ? claimOn(shards.all().get(0), req) : sharded.claim(req);
  }

  /** A claim on one shard's queues. */
  Future<ClaimBatch> claimOn(RedisKeys shard, ClaimRequest req) {
    List<String> tokens = ClaimArgs.tokens(req.max());
    return call(shard, Name.CLAIM, ClaimArgs.claim(req, tokens)).map(r -> ClaimArgs.batch(r, 0, tokens));
  }

  /**
   * Completes the job as {@link #complete} does and, in the same script call, claims the worker's
   * next jobs as {@link #claim(ClaimRequest)} does: one round trip where a busy worker made two.
   * Fails with {@link LeaseLostException} when the token no longer owns the job: then nothing was
   * completed and nothing claimed.
   */
  public Future<CompletedAndClaimed> completeAndClaim(String jobId, String token, JsonObject result,
                                                      TraceContext trace, ClaimRequest next) {
    if (shards.count() > 1) {
      // the next jobs may be on any shard: a claim of its own, so every shard's queue gets its turn
      return complete(jobId, token, result, trace)
          .compose(at -> claim(next).map(b -> new CompletedAndClaimed(at, b)));
    }
    List<String> tokens = ClaimArgs.tokens(next.max());
    String json = (result == null ? new JsonObject() : result).encode();
    return callReplicated(shards.of(jobId), Name.COMPLETE_CLAIM,
        ClaimArgs.completeClaim(tp(trace), jobId, token, json, next, tokens))
        .map(r -> new CompletedAndClaimed(fenced(jobId, r).get(1).toLong(), ClaimArgs.batch(r, 2, tokens)));
  }

  /** Extends the lease. Fails with {@link LeaseLostException} when the token no longer owns the job. */
  public Future<LeaseState> renewLease(String jobId, String token, long leaseMs) {
    return call(shards.of(jobId), Name.RENEW, List.of("", jobId, token, Long.toString(leaseMs)))
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
    return call(shards.of(jobId), Name.PROGRESS, List.of(tp(trace), jobId, token, Long.toString(Math.max(0, leaseMs)),
        progress == null ? "" : progress.toString(), nz(message)))
        .map(r -> new LeaseState("1".equals(fenced(jobId, r).get(1).toString())));
  }

  /** Marks the job completed with its result; returns the completion time (Redis clock, ms). */
  public Future<Long> complete(String jobId, String token, JsonObject result, TraceContext trace) {
    String json = (result == null ? new JsonObject() : result).encode();
    return callReplicated(shards.of(jobId), Name.COMPLETE, List.of(tp(trace), jobId, token, json))
        .map(r -> fenced(jobId, r).get(1).toLong());
  }

  /** Ends the attempt: a retry after backoff, a final failure (dead letter), or a cancellation. */
  public Future<FailOutcome> fail(String jobId, String token, Failure failure, TraceContext trace) {
    JsonObject err = failure.toJson();
    return call(shards.of(jobId), Name.FAIL, List.of(tp(trace), jobId, token, failure.kind().wire(), err.encode(),
        Double.toString(ThreadLocalRandom.current().nextDouble())))
        .map(r -> outcome(fenced(jobId, r)));
  }

  /** Hands the job back to its queue place without counting an attempt (a draining worker). */
  public Future<Void> release(String jobId, String token, TraceContext trace) {
    return call(shards.of(jobId), Name.RELEASE, List.of(tp(trace), jobId, token)).map(r -> {
      fenced(jobId, r);
      return null;
    });
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
    return call(shards.of(jobId), Name.CANCEL,
            List.of(tp(trace), jobId, reason == null ? "cancelled by client" : reason))
        .map(r -> StoreReplies.cancellation(jobId, r));
  }

  public Future<Optional<Job>> get(String jobId) {
    return send(Request.cmd(Command.HGETALL).arg(shards.of(jobId).job(jobId))).map(r -> {
      Map<String, String> h = toMap(r);
      return h.isEmpty() ? Optional.<Job>empty() : Optional.of(Job.fromHash(h));
    });
  }

  // ---------------------------------------------------------------- housekeeping

  /** Retries or fails jobs whose lease has run out (Redis clock); returns how many were reaped. */
  public Future<Integer> reapExpiredLeases(int batch) {
    return shards.sum(s -> call(s, Name.REAP, List.of("", Integer.toString(batch),
        Double.toString(ThreadLocalRandom.current().nextDouble()))).map(r -> r.size() / 2));
  }

  /** Moves delayed jobs whose backoff is over back to their queue place; returns how many. */
  public Future<Integer> promoteDue(int batch) {
    return shards.sum(s -> call(s, Name.PROMOTE, List.of("", Integer.toString(batch))).map(Response::toInteger));
  }

  /** Drops index entries of final jobs past their retention. */
  public Future<Long> trimIndexes() {
    return shards.onEach(s -> call(s, Name.TRIM, List.of("")).map(Response::toLong))
        .map(l -> l.stream().mapToLong(Long::longValue).sum());
  }

  // ---------------------------------------------------------------- plumbing

  /** Runs script {@code name} on one shard. */
  Future<Response> call(RedisKeys shard, Name name, List<String> args) {
    return scripts.call(redis, shard, name, args).recover(err -> Future.failedFuture(mapError(err)));
  }

  /** A script whose write must reach {@code wait_replicas} replicas before it counts as done (submit, complete). */
  private Future<Response> callReplicated(RedisKeys shard, Name name, List<String> args) {
    if (masters != null) {
      return masters.onMaster(shard, conn -> scripts.callAndWait(conn, shard, name, args, cfg.waitReplicas(),
          cfg.waitTimeoutMs())).recover(err -> Future.failedFuture(mapError(err)));
    }
    return cfg.waitReplicas() == 0 ? call(shard, name, args)
        : scripts.callAndWait(redis, shard, name, args, cfg.waitReplicas(), cfg.waitTimeoutMs())
            .recover(err -> Future.failedFuture(mapError(err)));
  }

  Future<Response> send(Request req) {
    return redis.send(req).recover(err -> Future.failedFuture(mapError(err)));
  }
}
