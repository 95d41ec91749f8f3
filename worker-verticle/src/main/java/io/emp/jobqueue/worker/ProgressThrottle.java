package io.emp.jobqueue.worker;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * Turns a connector's progress reports, however frequent, into at most one store call per interval,
 * always carrying the latest value; {@link #flush()} sends the last unsent report (so a client sees
 * the final percentage before completion). Not thread-safe: used from the worker's context only.
 */
public final class ProgressThrottle {
  /** Sends one progress update to the store. */
  @FunctionalInterface
  public interface Sender {
    Future<?> send(int percent, String message);
  }

  private record Report(int percent, String message) {
  }

  private final Vertx vertx;
  private final long intervalMs;
  private final Sender sender;
  private Report latest;
  private long lastSentAt = Long.MIN_VALUE / 2;
  private long timer = -1;
  private Future<?> inFlight;
  private boolean closed;
  private int sent;

  public ProgressThrottle(Vertx vertx, long intervalMs, Sender sender) {
    this.vertx = vertx;
    this.intervalMs = intervalMs;
    this.sender = sender;
  }

  public void report(int percent, String message) {
    if (closed) {
      return;
    }
    latest = new Report(Math.max(0, Math.min(100, percent)), message);
    schedule();
  }

  /** Store calls made so far. */
  public int sent() {
    return sent;
  }

  private void schedule() {
    if (timer != -1 || inFlight != null || latest == null) {
      return;
    }
    long wait = lastSentAt + intervalMs - System.currentTimeMillis();
    if (wait > 0) {
      timer = vertx.setTimer(wait, t -> {
        timer = -1;
        schedule();
      });
    } else {
      sendLatest();
    }
  }

  private Future<?> sendLatest() {
    Report r = latest;
    latest = null;
    lastSentAt = System.currentTimeMillis();
    sent++;
    Future<?> f = sender.send(r.percent(), r.message());
    inFlight = f;
    f.onComplete(ar -> {
      inFlight = null;
      if (!closed) {
        schedule();
      }
    });
    return f;
  }

  /** Stops throttling and sends the last unsent report, after any call in flight; completes when sent. */
  public Future<Void> flush() {
    closed = true;
    cancelTimer();
    Future<?> before = inFlight == null ? Future.succeededFuture() : inFlight;
    return before.transform(ignored -> latest == null ? Future.<Void>succeededFuture()
        : sendLatest().<Void>mapEmpty());
  }

  /** Stops throttling and drops any unsent report. */
  public void close() {
    closed = true;
    latest = null;
    cancelTimer();
  }

  private void cancelTimer() {
    if (timer != -1) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }
}
