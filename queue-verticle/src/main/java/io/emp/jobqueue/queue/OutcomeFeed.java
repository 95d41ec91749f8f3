package io.emp.jobqueue.queue;

import io.emp.jobqueue.core.model.JobEvent;
import io.emp.jobqueue.core.telemetry.TailSampler;
import io.emp.jobqueue.queue.store.EventTail;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * Tells this node's tail sampler how each job ended, from the terminal events of the job-event
 * stream, as the gateway's relay does on an API node. A node that runs the queue without the
 * gateway needs it: its submit spans wait for their job's outcome like every node's do, and without
 * it they would only leave by the decision timeout (kept), unlike the other nodes' spans of the trace.
 */
final class OutcomeFeed {
  private static final System.Logger LOG = System.getLogger(OutcomeFeed.class.getName());
  private static final long BLOCK_MS = 1_000;
  private static final long RETRY_MS = 1_000;

  private final Vertx vertx;
  private final EventTail tail;
  private final TailSampler sampler;
  private String position;
  private boolean stopped;

  OutcomeFeed(Vertx vertx, EventTail tail, TailSampler sampler) {
    this.vertx = vertx;
    this.tail = tail;
    this.sampler = sampler;
  }

  void start() {
    tail.lastId().onSuccess(id -> {
      position = id;
      read();
    }).onFailure(this::retryLater);
  }

  private void read() {
    if (!stopped) {
      tail.readAfter(position, BLOCK_MS, 500).onSuccess(this::handle).onFailure(this::retryLater);
    }
  }

  private void handle(List<JobEvent> events) {
    for (JobEvent e : events) {
      if (e.isTerminal()) {
        sampler.decide(e);
      }
      position = e.streamId();
    }
    read();
  }

  private void retryLater(Throwable err) {
    if (stopped) {
      return;
    }
    LOG.log(System.Logger.Level.DEBUG, "outcome feed paused, retrying: " + err.getMessage());
    vertx.setTimer(RETRY_MS, t -> {
      if (position == null) {
        start();
      } else {
        read();
      }
    });
  }

  Future<Void> stop() {
    stopped = true;
    return tail.close();
  }

}
