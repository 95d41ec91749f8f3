package io.emp.jobqueue.gateway;

import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.model.JobEvent;
import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.core.model.JobQueueException.Code;
import io.emp.jobqueue.core.model.TraceContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Comparator;
import java.util.List;

/**
 * Per-job event streams of client sockets: subscribe (optionally resuming after a seq), live
 * delivery, and catch-up from the job's own stream whenever a gap shows up (resume, relay lag,
 * relay restart). Replay and live meet without duplicates or gaps because both are filtered by
 * the subscription's {@code lastSent} and live events wait while a replay runs.
 */
final class ClientStreams {
  static final int REPLAY_PAGE = 500;

  private final JobAccess access;
  private final SessionRegistry registry;
  private final int maxSubscriptions;

  ClientStreams(JobAccess access, SessionRegistry registry, int maxSubscriptions) {
    this.access = access;
    this.registry = registry;
    this.maxSubscriptions = maxSubscriptions;
  }

  /**
   * Subscribes after checking ownership. With {@code lastSeq} the events after it are replayed
   * first; without it the client gets events after the job's current seq.
   * Completes with the {@code subscribed} acknowledgement already sent.
   */
  Future<Void> subscribe(WsSession s, String jobId, Long lastSeq) {
    if (s.subscription(jobId) != null) {
      return Future.failedFuture(new JobQueueException(Code.CONFLICT, "already subscribed to "
          + PublicIds.out(s.principal(), jobId)));
    }
    if (s.subscriptions().size() >= maxSubscriptions) {
      return Future.failedFuture(new JobQueueException(Code.VALIDATION,
          "a socket may hold at most " + maxSubscriptions + " subscriptions"));
    }
    // Registered before the job is read, so no live event can slip between the read and the replay.
    Subscription sub = new Subscription(jobId, lastSeq == null ? Long.MAX_VALUE : lastSeq);
    s.subscriptions().put(jobId, sub);
    registry.subscribe(s, jobId);
    return access.owned(s.principal(), jobId, TraceContext.EMPTY)
        .onFailure(err -> drop(s, jobId))
        .compose(job -> {
          if (lastSeq == null) {
            sub.lastSent = job.getLong(Job.F.SEQ, 0L);
          }
          sub.correlationId = job.getString(Job.F.CORRELATION);
          sub.createdAt = job.getLong(Job.F.CREATED_AT);
          s.send(new JsonObject().put("type", "subscribed").put("job_id", PublicIds.out(s.principal(), jobId))
              .put("status", job.getString(Job.F.STATUS)).put("last_seq", sub.lastSent));
          return catchUp(s, sub);
        });
  }

  void unsubscribe(WsSession s, String jobId) {
    drop(s, jobId);
  }

  private void drop(WsSession s, String jobId) {
    s.subscriptions().remove(jobId);
    registry.unsubscribe(s, jobId);
  }

  /** A live event for a subscribed session; true when it was written to the socket now. */
  boolean deliverLive(WsSession s, Subscription sub, JobEvent e, WsText text) {
    if (sub.catchingUp) {
      sub.held.add(e);
      return false;
    }
    if (e.seq() <= sub.lastSent) {
      return false;
    }
    if (e.seq() > sub.lastSent + 1) {
      // Something between lastSent and this event never reached us live: fetch it first.
      sub.held.add(e);
      catchUp(s, sub);
      return false;
    }
    if (s.send(text)) {
      sub.lastSent = e.seq();
      return true;
    }
    return false;
  }

  /**
   * Replays the job's stream after {@code lastSent} in pages no larger than half the socket's
   * outbound bound, waiting for the socket to drain between pages, then releases the held live events.
   */
  Future<Void> catchUp(WsSession s, Subscription sub) {
    sub.catchingUp = true;
    int pageSize = Math.min(REPLAY_PAGE, s.replayBurst());
    return s.drained()
        .compose(v -> access.queue().events(sub.jobId, sub.lastSent, pageSize, TraceContext.EMPTY))
        .compose(page -> replayPage(s, sub, page.getJsonArray("events", new JsonArray()), pageSize), err -> {
          // Leave the subscription usable: the next live event retries the catch-up.
          release(s, sub);
          return Future.failedFuture(err);
        });
  }

  private Future<Void> replayPage(WsSession s, Subscription sub, JsonArray evs, int pageSize) {
    if (!s.isOpen() || s.subscription(sub.jobId) != sub) {
      return Future.succeededFuture();
    }
    for (Object o : evs) {
      JsonObject ev = (JsonObject) o;
      long seq = ev.getLong("seq", 0L);
      if (seq > sub.lastSent && s.send(PublicIds.eventJson(s.principal(), ev))) {
        sub.lastSent = seq;
      }
    }
    if (evs.size() == pageSize && s.isOpen()) {
      return catchUp(s, sub);
    }
    release(s, sub);
    return Future.succeededFuture();
  }

  private void release(WsSession s, Subscription sub) {
    List<JobEvent> held = List.copyOf(sub.held);
    sub.held.clear();
    sub.catchingUp = false;
    held.stream().sorted(Comparator.comparingLong(JobEvent::seq)).forEach(e -> {
      if (e.seq() > sub.lastSent && s.send(PublicIds.eventJson(s.principal(), e.toJson()))) {
        sub.lastSent = e.seq();
      }
    });
  }
}
