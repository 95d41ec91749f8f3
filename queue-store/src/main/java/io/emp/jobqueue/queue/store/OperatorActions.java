package io.emp.jobqueue.queue.store;

import static io.emp.jobqueue.queue.store.StoreReplies.nz;
import static io.emp.jobqueue.queue.store.StoreReplies.toMap;
import static io.emp.jobqueue.queue.store.StoreReplies.tp;

import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.model.JobEvent;
import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.core.model.JobQueueException.Code;
import io.emp.jobqueue.core.model.JobStatus;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.queue.store.Scripts.Name;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What an operator does (admin API, console): pause and resume a service's claims, retry, promote and
 * delete jobs. Each change is one script, audited in the job's events with who asked.
 */
public final class OperatorActions {
  private final JobStore store;

  OperatorActions(JobStore store) {
    this.store = store;
  }

  /**
   * Pauses claims from {@code service}: the claim script skips it from now on, on every worker.
   * Submits are still accepted and running jobs finish. Answers whether it was running before.
   */
  public Future<Boolean> pause(String service) {
    if (!isServiceName(service)) {
      return Future.failedFuture(badService());
    }
    // every shard's claim script reads its own copy of the paused set
    return store.shards().onEach(s -> store.send(Request.cmd(Command.SADD).arg(s.paused()).arg(service)))
        .map(rs -> rs.stream().anyMatch(r -> r.toInteger() == 1));
  }

  /**
   * Lets workers claim from {@code service} again and wakes them (the wake channel), so idle
   * workers claim at once even where no control broadcast reaches them. Answers whether it was paused.
   */
  public Future<Boolean> resume(String service) {
    if (!isServiceName(service)) {
      return Future.failedFuture(badService());
    }
    return store.shards().onEach(s -> store.send(Request.cmd(Command.SREM).arg(s.paused()).arg(service)))
        .compose(rs -> store.send(Request.cmd(Command.PUBLISH).arg(store.keys().wake(service)).arg("resume"))
            .map(v -> rs.stream().anyMatch(r -> r.toInteger() == 1)));
  }

  /** The services whose claims are paused now (on any shard: a pause that reached only some still shows). */
  public Future<java.util.Set<String>> pausedServices() {
    return store.shards().onEach(s -> store.send(Request.cmd(Command.SMEMBERS).arg(s.paused()))).map(rs -> {
      java.util.Set<String> out = new java.util.TreeSet<>();
      for (Response r : rs) {
        if (r != null) {
          r.forEach(x -> out.add(x.toString()));
        }
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
    // one script call per shard, for the jobs that live there; the outcomes back in the caller's order
    Map<RedisKeys, List<Integer>> byShard = new java.util.LinkedHashMap<>();
    for (int i = 0; i < jobs.size(); i++) {
      byShard.computeIfAbsent(store.shards().of(jobs.get(i).getKey()), k -> new ArrayList<>()).add(i);
    }
    @SuppressWarnings("unchecked")
    Future<Retried>[] out = new Future[jobs.size()];
    List<Future<Void>> calls = new ArrayList<>(byShard.size());
    byShard.forEach((shard, which) -> calls.add(retryOn(shard, jobs, which, by, out)));
    return Future.all(calls).map(v -> java.util.Arrays.asList(out));
  }

  private Future<Void> retryOn(RedisKeys shard, List<Map.Entry<String, TraceContext>> jobs, List<Integer> which,
                               String by, Future<Retried>[] out) {
    List<String> args = new ArrayList<>(2 + 2 * which.size());
    args.add("");
    args.add(nz(by));
    for (int i : which) {
      JsonObject fields = new JsonObject();
      jobs.get(i).getValue().toMap().forEach(fields::put);
      args.add(jobs.get(i).getKey());
      args.add(fields.encode());
    }
    return store.call(shard, Name.RETRY, args).map(r -> {
      for (int k = 0; k < which.size(); k++) {
        int i = which.get(k);
        Response one = r.get(k);
        try {
          acted(jobs.get(i).getKey(), one, "retried (only failed or cancelled jobs can be)");
          out[i] = Future.succeededFuture(new Retried(TraceContext.of(one.get(1).toString()), one.get(2).toInteger()));
        } catch (JobQueueException e) {
          out[i] = Future.failedFuture(e);
        }
      }
      return null;
    });
  }

  /** Queues a delayed job now (promote_now.lua); CONFLICT unless it is delayed. */
  public Future<Void> promoteNow(String jobId, String by, TraceContext trace) {
    return store.call(store.shards().of(jobId), Name.PROMOTE_NOW, List.of(tp(trace), jobId, nz(by)))
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
    return store.call(store.shards().of(jobId), Name.DELETE, List.of(tp(trace), jobId, nz(by)))
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
    List<String> args = List.of("", status.wire(), nz(service), nz(errorType),
        finishedAfter == null ? "" : finishedAfter.toString(), finishedBefore == null ? "" : finishedBefore.toString(),
        Integer.toString(limit), Integer.toString(Math.max(limit * 4, 10_000)));
    // each shard's newest first, one shard after the other: across shards the order is by shard
    return store.shards().onEach(s -> store.call(s, Name.SELECT_RETRY, args)).map(rs -> {
      List<String> ids = new ArrayList<>();
      for (Response r : rs) {
        for (Response x : r) {
          if (ids.size() < limit) {
            ids.add(x.toString());
          }
        }
      }
      return ids;
    });
  }
}
