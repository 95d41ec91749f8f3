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
    return store.send(Request.cmd(Command.SADD).arg(store.keys().paused()).arg(service)).map(r -> r.toInteger() == 1);
  }

  /**
   * Lets workers claim from {@code service} again and wakes them (the wake channel), so idle
   * workers claim at once even where no control broadcast reaches them. Answers whether it was paused.
   */
  public Future<Boolean> resume(String service) {
    if (!isServiceName(service)) {
      return Future.failedFuture(badService());
    }
    return store.redis().batch(List.of(Request.cmd(Command.SREM).arg(store.keys().paused()).arg(service),
            Request.cmd(Command.PUBLISH).arg(store.keys().wake(service)).arg("resume")))
        .recover(err -> Future.failedFuture(StoreReplies.mapError(err)))
        .map(r -> r.get(0).toInteger() == 1);
  }

  /** The services whose claims are paused now. */
  public Future<java.util.Set<String>> pausedServices() {
    return store.send(Request.cmd(Command.SMEMBERS).arg(store.keys().paused())).map(r -> {
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
    return store.call(Name.RETRY, args).map(r -> {
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
    return store.call(Name.PROMOTE_NOW, List.of(tp(trace), jobId, nz(by)))
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
    return store.call(Name.DELETE, List.of(tp(trace), jobId, nz(by)))
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
    return store.call(Name.SELECT_RETRY, List.of("", status.wire(), nz(service), nz(errorType),
        finishedAfter == null ? "" : finishedAfter.toString(), finishedBefore == null ? "" : finishedBefore.toString(),
        Integer.toString(limit), Integer.toString(Math.max(limit * 4, 10_000)))).map(r -> {
          List<String> ids = new ArrayList<>(r.size());
          r.forEach(x -> ids.add(x.toString()));
          return ids;
        });
  }
}
