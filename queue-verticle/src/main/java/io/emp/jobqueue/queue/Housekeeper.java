package io.emp.jobqueue.queue;

import io.emp.jobqueue.core.telemetry.RateLimitedLog;
import io.emp.jobqueue.queue.store.JobStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * Periodic upkeep: expired leases are reaped (retry or dead letter), due retries go back to their
 * queue place, old index entries are trimmed. Every step is one atomic script, so any number of
 * queue nodes can run this at once; a failed tick is logged and the next tick tries again.
 */
final class Housekeeper {
  private static final System.Logger LOG = System.getLogger(Housekeeper.class.getName());
  /** Per instance: a node that recovers must not reset the warnings of another node in the same JVM. */
  private final RateLimitedLog warnings = new RateLimitedLog(LOG, "lease reaper");

  private final Vertx vertx;
  private final JobStore store;
  private final QueueConfig cfg;
  private long tickTimer = -1;
  private long trimTimer = -1;
  private boolean running;
  private final java.util.function.IntConsumer onReaped;
  private boolean stopped;

  Housekeeper(Vertx vertx, JobStore store, QueueConfig cfg) {
    this(vertx, store, cfg, n -> { });
  }

  /** {@code onReaped}: told how many expired leases each round reaped (the lease_expired error count). */
  Housekeeper(Vertx vertx, JobStore store, QueueConfig cfg, java.util.function.IntConsumer onReaped) {
    this.vertx = vertx;
    this.store = store;
    this.cfg = cfg;
    this.onReaped = onReaped;
  }

  void start() {
    tickTimer = vertx.setPeriodic(cfg.housekeepingIntervalMs(), t -> tick());
    trimTimer = vertx.setPeriodic(cfg.trimIntervalMs(), t -> store.trimIndexes()
        .onFailure(err -> warnings.warn("index trim failed; the next round retries", err)));
  }

  /** One reap + promote round; skipped while the previous round is still running. */
  Future<Void> tick() {
    if (running) {
      return Future.succeededFuture();
    }
    running = true;
    return store.reapExpiredLeases(cfg.housekeepingBatch())
        .compose(reaped -> {
          if (reaped > 0) {
            onReaped.accept(reaped);
          }
          return store.promoteDue(cfg.housekeepingBatch());
        })
        .<Void>mapEmpty()
        .onSuccess(v -> warnings.recovered("reaping and promoting again"))
        .onFailure(err -> {
          // a round cut short by the node stopping (its store closes) is not worth a warning
          if (!stopped) {
            warnings.warn("reaping expired leases / promoting due retries failed; the next tick retries", err);
          }
        })
        .eventually(() -> {
          running = false;
          return Future.succeededFuture();
        });
  }

  void stop() {
    stopped = true;
    vertx.cancelTimer(tickTimer);
    vertx.cancelTimer(trimTimer);
  }
}
