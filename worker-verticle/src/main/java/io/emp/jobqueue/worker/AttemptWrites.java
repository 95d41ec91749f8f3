package io.emp.jobqueue.worker;

import io.emp.jobqueue.core.logging.LogFormat;
import io.emp.jobqueue.core.model.Failure;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.queue.store.ClaimedJob;
import io.emp.jobqueue.queue.store.FailOutcome;
import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.queue.store.LeaseState;
import io.emp.jobqueue.worker.spi.Connector;
import io.opentelemetry.context.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * An attempt's writes to the store, each fenced by its claim token and carrying the processing
 * span's trace context, and the connector cancel that precedes the writes that cut work short.
 */
final class AttemptWrites {
  private static final System.Logger LOG = System.getLogger(AttemptWrites.class.getName());

  private final JobStore store;
  private final ClaimedJob claimed;
  private final Connector connector;
  private final Context processing;
  private final TraceContext trace;
  private final JobRunner.Completer completer;

  AttemptWrites(JobStore store, ClaimedJob claimed, Connector connector, Context processing, TraceContext trace,
                JobRunner.Completer completer) {
    this.store = store;
    this.completer = completer;
    this.claimed = claimed;
    this.connector = connector;
    this.processing = processing;
    this.trace = trace;
  }

  Future<LeaseState> progress(int percent, String message, long leaseMs) {
    return store.progress(jobId(), claimed.token(), percent, message, leaseMs, trace);
  }

  /** Completes the job (and maybe claims the slot's next jobs: {@link ClaimLoop}); answers the completion time. */
  Future<Long> complete(JsonObject result) {
    return completer.complete(claimed, result, trace);
  }

  Future<FailOutcome> fail(Failure failure) {
    return store.fail(jobId(), claimed.token(), failure, trace);
  }

  /** Stops the connector's work, then hands the job back without counting the attempt. */
  Future<AttemptEnd> release() {
    return cancelConnector().compose(v -> store.release(jobId(), claimed.token(), trace))
        .map(AttemptEnd.RELEASED);
  }

  /** Asks the connector to stop this job's backend work; a failed cancel is logged, never fatal. */
  Future<Void> cancelConnector() {
    Future<Void> f;
    try {
      f = connector.cancel(jobId());
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    return f.recover(err -> {
      LogFormat.log(LOG, System.Logger.Level.WARNING, processing, "connector cancel of job " + jobId() + " failed: "
          + err, null);
      return Future.succeededFuture();
    });
  }

  static AttemptEnd toEnd(FailOutcome o) {
    return switch (o.kind()) {
      case RETRY_SCHEDULED -> AttemptEnd.RETRY_SCHEDULED;
      case FAILED -> AttemptEnd.FAILED;
      case CANCELLED -> AttemptEnd.CANCELLED;
    };
  }

  private String jobId() {
    return claimed.job().id();
  }
}
