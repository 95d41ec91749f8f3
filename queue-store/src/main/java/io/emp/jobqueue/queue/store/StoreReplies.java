package io.emp.jobqueue.queue.store;

import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.core.model.JobQueueException.Code;
import io.emp.jobqueue.core.model.JobSpec;
import io.emp.jobqueue.core.model.JobStatus;
import io.emp.jobqueue.core.model.TraceContext;
import io.vertx.redis.client.Response;
import java.util.HashMap;
import java.util.Map;

/** How the store reads Redis answers, and maps Redis failures to the queue's typed errors. */
final class StoreReplies {
  private StoreReplies() {
  }

  /** A reply of a server that is no master (any more): READONLY or MASTERDOWN, whatever prefix a script adds. */
  static boolean demoted(Throwable err) {
    String msg = String.valueOf(err.getMessage());
    return msg.contains("READONLY") || msg.contains("MASTERDOWN");
  }

  /**
   * A Redis or client failure as the queue's error: UNAVAILABLE (503, retry later) for anything that
   * passes with time, INTERNAL for a script error. Typed errors pass through.
   */
  static Throwable mapError(Throwable err) {
    if (err instanceof JobQueueException || err instanceof IllegalArgumentException) {
      return err;
    }
    // one line: the sentinel client lists each sentinel's failure on a line of its own
    String msg = String.valueOf(err.getMessage()).replaceAll("\\s*\\R\\s*", "; ");
    // A master that became a replica (READONLY), a replica that lost its master (MASTERDOWN) and a
    // server still loading its data are all "wait and retry", whatever prefix a script wraps them in.
    if (demoted(err) || msg.startsWith("LOADING")) {
      return new JobQueueException(Code.UNAVAILABLE, "redis unavailable: " + msg);
    }
    if (msg.startsWith("ERR") || msg.startsWith("WRONGTYPE")) {
      return new JobQueueException(Code.INTERNAL, "redis script error: " + msg);
    }
    return new JobQueueException(Code.UNAVAILABLE, "redis unavailable: " + msg);
  }

  /** submit.lua's answer for the job {@code id} of {@code spec}; a full queue is a QUEUE_FULL failure. */
  static SubmitResult submitted(String id, JobSpec spec, Response r) {
    String kind = r.get(0).toString();
    switch (kind) {
      case "OK":
        return new SubmitResult(id, true, JobStatus.PENDING, r.get(3).toLong(), r.get(4).toLong(),
            r.get(6).toLong(), traces(toMap(r.get(7))));
      case "EXISTS":
        return new SubmitResult(r.get(1).toString(), false, JobStatus.fromWire(r.get(2).toString()),
            r.get(3).toLong(), r.get(4).toLong(), 0, Map.of());
      case "FULL":
        throw new JobQueueException(Code.QUEUE_FULL, "queue for service '" + spec.serviceRequired()
            + "' holds its maximum of " + r.get(1) + " pending jobs; retry later");
      default:
        throw new JobQueueException(Code.INTERNAL, "unexpected submit reply " + kind);
    }
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

  /** Job id -> traceparent, as the workflow hash stores it, read into trace contexts. */
  static Map<String, TraceContext> traces(Map<String, String> steps) {
    Map<String, TraceContext> out = new java.util.LinkedHashMap<>();
    steps.forEach((job, tp) -> out.put(job, TraceContext.of(tp)));
    return out;
  }

  static String nz(String s) {
    return s == null ? "" : s;
  }

  /** The traceparent a script stamps on the events it writes ('' for none). */
  static String tp(TraceContext trace) {
    return trace == null || trace.traceparent() == null ? "" : trace.traceparent();
  }

  /** A fenced script's reply, or LeaseLostException when the token no longer owned the job ({'LOST', status}). */
  static Response fenced(String jobId, Response r) {
    if ("LOST".equals(r.get(0).toString())) {
      throw new io.emp.jobqueue.core.model.LeaseLostException(jobId, r.get(1).toString());
    }
    return r;
  }

  /** fail.lua's answer. */
  static FailOutcome outcome(Response r) {
    return switch (r.get(0).toString()) {
      case "RETRY" -> new FailOutcome(FailOutcome.Kind.RETRY_SCHEDULED, r.get(1).toLong());
      case "DEAD" -> new FailOutcome(FailOutcome.Kind.FAILED, null);
      case "CANCELLED" -> new FailOutcome(FailOutcome.Kind.CANCELLED, null);
      default -> throw new JobQueueException(Code.INTERNAL, "unexpected fail reply " + r.get(0));
    };
  }

  /** cancel.lua's answer for job {@code jobId}: NOT_FOUND, or CONFLICT for a job that already ended. */
  static Cancellation cancellation(String jobId, Response r) {
    return switch (r.get(0).toString()) {
      case "CANCELLED" -> new Cancellation(CancelOutcome.CANCELLED, null);
      case "REQUESTED" -> new Cancellation(CancelOutcome.REQUESTED,
          r.size() > 1 && !r.get(1).toString().isEmpty() ? r.get(1).toString() : null);
      case "NOTFOUND" -> throw JobQueueException.notFound("job " + jobId);
      default -> throw new JobQueueException(Code.CONFLICT,
          "job " + jobId + " is already " + r.get(1) + " and cannot be cancelled");
    };
  }
}
