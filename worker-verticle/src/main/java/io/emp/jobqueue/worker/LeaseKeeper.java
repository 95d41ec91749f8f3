package io.emp.jobqueue.worker;

import io.emp.jobqueue.core.telemetry.RateLimitedLog;
import io.emp.jobqueue.core.model.LeaseLostException;
import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.queue.store.LeaseState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * Renews one attempt's lease periodically. A renewal that reports a cancel request or a lost lease
 * is handed to the listener once; a transient Redis error is only logged, since the next tick (at
 * most a third of the lease later) tries again and a truly lost lease shows up on the next call.
 */
public final class LeaseKeeper {
  private static final System.Logger LOG = System.getLogger(LeaseKeeper.class.getName());
  private static final RateLimitedLog WARNINGS = new RateLimitedLog(LOG, "lease keeper");

  /** What the attempt must learn from a renewal. */
  public interface Listener {
    void cancelRequested();

    void leaseLost();
  }

  private final Vertx vertx;
  private final JobStore store;
  private final String jobId;
  private final String token;
  private final long leaseMs;
  private final long intervalMs;
  private final Listener listener;
  private long timer = -1;
  private boolean renewing;
  private boolean stopped;

  public LeaseKeeper(Vertx vertx, JobStore store, String jobId, String token, long leaseMs, long intervalMs,
                     Listener listener) {
    this.vertx = vertx;
    this.store = store;
    this.jobId = jobId;
    this.token = token;
    this.leaseMs = leaseMs;
    this.intervalMs = intervalMs;
    this.listener = listener;
  }

  public void start() {
    timer = vertx.setPeriodic(intervalMs, t -> tick());
  }

  private void tick() {
    if (renewing || stopped) {
      return;
    }
    renewing = true;
    store.renewLease(jobId, token, leaseMs).onComplete(ar -> {
      renewing = false;
      if (ar.succeeded()) {
        observe(ar.result());
      } else {
        observe(ar.cause());
      }
    });
  }

  /** Applies the answer of any lease-renewing call (renew or progress). */
  public void observe(LeaseState state) {
    if (!stopped && state.cancelRequested()) {
      listener.cancelRequested();
    }
  }

  /** Applies a failed lease-renewing call. */
  public void observe(Throwable err) {
    if (stopped) {
      return;
    }
    if (err instanceof LeaseLostException) {
      listener.leaseLost();
    } else {
      WARNINGS.warn("lease renewal failed; retrying next tick", err);
    }
  }

  public void stop() {
    stopped = true;
    vertx.cancelTimer(timer);
  }

  Future<Void> renewNow() {
    return store.renewLease(jobId, token, leaseMs).onSuccess(this::observe).onFailure(this::observe).mapEmpty();
  }
}
