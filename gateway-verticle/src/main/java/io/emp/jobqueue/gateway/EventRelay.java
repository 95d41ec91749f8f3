package io.emp.jobqueue.gateway;

import io.emp.jobqueue.core.model.JobEvent;
import io.emp.jobqueue.queue.store.EventTail;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.function.Consumer;

/**
 * Follows the global job-event stream from the position it had when the gateway started and
 * hands each event to the sink in stream order. On a Redis error it reports not running (the
 * /ready check) and retries from the same position, so a Redis blip loses nothing; what a gateway
 * restart misses, resuming clients fetch from the per-job streams (see {@link ClientStreams}).
 */
final class EventRelay {
  private static final System.Logger LOG = System.getLogger(EventRelay.class.getName());

  private final Vertx vertx;
  private final EventTail tail;
  private final Consumer<JobEvent> sink;
  private final long blockMs;
  private final int batch;
  private final long retryMs;
  private String position;
  private boolean healthy;
  private boolean stopped;
  private boolean warned;

  EventRelay(Vertx vertx, EventTail tail, Consumer<JobEvent> sink, GatewayConfig cfg) {
    this.vertx = vertx;
    this.tail = tail;
    this.sink = sink;
    this.blockMs = cfg.relayBlockMs();
    this.batch = cfg.relayBatch();
    this.retryMs = cfg.relayRetryMs();
  }

  /** Resolves the start position and starts the loop; a failure here is retried in the background. */
  Future<Void> start() {
    return tail.lastId()
        .onSuccess(id -> {
          position = id;
          healthy = true;
          read();
        })
        .onFailure(this::retryLater)
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }

  boolean running() {
    return healthy && !stopped;
  }

  private void read() {
    if (stopped) {
      return;
    }
    tail.readAfter(position, blockMs, batch).onSuccess(this::handle).onFailure(this::retryLater);
  }

  private void handle(List<JobEvent> events) {
    healthy = true;
    warned = false;
    for (JobEvent e : events) {
      if (stopped) {
        return;
      }
      try {
        sink.accept(e);
      } catch (RuntimeException ex) {
        LOG.log(System.Logger.Level.ERROR, "relaying event " + e.type() + " of job " + e.jobId() + " failed", ex);
      }
      position = e.streamId();
    }
    read();
  }

  private void retryLater(Throwable err) {
    if (stopped) {
      return;
    }
    healthy = false;
    if (!warned) {
      warned = true;
      LOG.log(System.Logger.Level.WARNING, "event relay paused, retrying: " + err.getMessage());
    }
    vertx.setTimer(retryMs, t -> {
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

  /** One relay per shard's stream, all into the same sink (a job's events share a stream, so stay in order). */
  static Each each(Vertx vertx, List<EventTail> tails, Consumer<JobEvent> sink, GatewayConfig cfg) {
    return new Each(tails.stream().map(t -> new EventRelay(vertx, t, sink, cfg)).toList());
  }

  /** The relays of every shard, started, checked and stopped together. */
  record Each(List<EventRelay> relays) {
    Future<Void> start() {
      return Future.all(relays.stream().map(EventRelay::start).toList()).mapEmpty();
    }

    boolean running() {
      return relays.stream().allMatch(EventRelay::running);
    }

    Future<Void> stop() {
      return Future.join(relays.stream().map(EventRelay::stop).toList()).mapEmpty();
    }
  }
}
