package io.emp.jobqueue.worker;

import io.emp.jobqueue.core.telemetry.Attr;
import io.emp.jobqueue.core.telemetry.SpanName;
import io.emp.jobqueue.core.model.Failure;
import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.model.LeaseLostException;
import io.emp.jobqueue.core.model.SecretRedactor;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.core.telemetry.RateLimitedLog;
import io.emp.jobqueue.core.telemetry.TraceContexts;
import io.emp.jobqueue.queue.store.ClaimedJob;
import io.emp.jobqueue.queue.store.FailOutcome;
import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.worker.spi.Connector;
import io.emp.jobqueue.worker.spi.JobContext;
import io.emp.jobqueue.worker.spi.ResultStore;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.function.Supplier;

/**
 * Runs one claimed attempt: the job.processing span and its stage spans, lease renewal, the timeout,
 * throttled progress, and the one store call that ends the attempt. Whatever happens first (the
 * connector's answer, the timeout, a cancel request, a lost lease, a drain) decides the attempt;
 * later signals are ignored, so the job is written at most once per attempt. Runs on the worker's
 * context; every callback lands there.
 */
public final class JobRunner {
  private static final System.Logger LOG = System.getLogger(JobRunner.class.getName());
  private static final RateLimitedLog STORE_WARNINGS = new RateLimitedLog(LOG, "job runner");

  private final Vertx vertx;
  private final io.vertx.core.Context vertxContext;
  private final JobStore store;
  private final WorkerConfig cfg;
  private final Connector connector;
  private final ResultStore results;
  private final WorkerSpans spans;
  private final MachineInfo machine;
  private final ClaimedJob claimed;
  private final Job job;
  private final Context claimCtx;
  private final SecretRedactor redactor;
  private final Promise<AttemptOutcome> outcome = Promise.promise();
  private AttemptSpans attemptSpans;
  private Context procCtx;
  private AttemptWrites writes;
  private Span external;
  private boolean externalEnded;
  private Context stageCtx;
  private String stageComponent = WorkerSpans.COMPONENT;
  private ProgressThrottle throttle;
  private LeaseKeeper lease;
  private long timeoutTimer = -1;
  private long startedAt;
  private boolean stopping;
  private long completedAt;
  private long runStartNanos;
  private long externalStartNanos;
  private Completer completer;

  /** Writes a successful attempt's result; answers the completion time (Redis clock). */
  @FunctionalInterface
  public interface Completer {
    Future<Long> complete(ClaimedJob claimed, JsonObject result, TraceContext trace);
  }

  public JobRunner(Vertx vertx, JobStore store, WorkerConfig cfg, Connector connector, ResultStore results,
                   WorkerSpans spans, MachineInfo machine, ClaimedJob claimed, Context claimCtx) {
    this.vertx = vertx;
    this.vertxContext = vertx.getOrCreateContext();
    this.store = store;
    this.cfg = cfg;
    this.connector = connector;
    this.results = results;
    this.spans = spans;
    this.machine = machine;
    this.claimed = claimed;
    this.job = claimed.job();
    this.claimCtx = claimCtx;
    this.redactor = SecretRedactor.of(connector.secrets());
    this.completer = (c, result, trace) -> store.complete(c.job().id(), c.token(), result, trace);
  }

  /**
   * How the successful end of this attempt is written (before {@link #run}): the claim loop's
   * completion also claims the slot's next jobs in the same call. Default: a plain complete.
   */
  public JobRunner completeWith(Completer c) {
    this.completer = c;
    return this;
  }

  public String jobId() {
    return job.id();
  }

  /** Starts the attempt; the future tells how it ended and never fails. */
  public Future<AttemptEnd> run() {
    startedAt = System.currentTimeMillis();
    runStartNanos = System.nanoTime();
    spans.metrics().busy(connector.type(), 1);
    attemptSpans = new AttemptSpans(spans.processingTracer(connector.type()), job, cfg, connector, redactor);
    procCtx = attemptSpans.startProcessing(claimCtx, spans.processingConstants(connector, machine), startedAt);
    stageCtx = procCtx;
    writes = new AttemptWrites(store, claimed, connector, procCtx, TraceContexts.inject(procCtx), completer);
    throttle = new ProgressThrottle(vertx, cfg.progressThrottleMs(), this::sendProgress);
    lease = new LeaseKeeper(vertx, store, job.id(), claimed.token(), cfg.leaseMs(), cfg.renewIntervalMs(),
        new LeaseKeeper.Listener() {
          @Override
          public void cancelRequested() {
            settle(new AttemptOutcome.CancelRequested());
          }

          @Override
          public void leaseLost() {
            settle(new AttemptOutcome.LeaseLost());
          }
        });
    lease.start();
    long timeoutMs = job.timeoutMs() != null && job.timeoutMs() > 0 ? job.timeoutMs() : cfg.defaultJobTimeoutMs();
    timeoutTimer = vertx.setTimer(timeoutMs, t -> settle(new AttemptOutcome.TimedOut(timeoutMs)));
    pipeline(startedAt + timeoutMs).onComplete(ar -> settle(ar.succeeded()
        ? new AttemptOutcome.Succeeded(ar.result()) : new AttemptOutcome.Failed(ar.cause(), stageCtx, stageComponent)));
    return outcome.future().compose(this::finish).map(end -> {
      AttemptReport report = new AttemptReport(spans, claimed, connector, runStartNanos);
      WorkerMetrics.SlaFact sla = report.sla(end, completedAt);
      attemptSpans.endProcessing(end, sla);
      report.ended(end, completedAt, sla, attemptSpans.processing().getSpanContext().getSpanId());
      return end;
    });
  }

  /**
   * A cancel signal reached this worker (control plane): the attempt ends as a cancel request does
   * at a lease renewal, only sooner. The job's cancel flag in Redis was set before the signal went out.
   */
  public void requestCancel() {
    if (lease != null) {
      settle(new AttemptOutcome.CancelRequested());
    }
  }

  /** The worker is stopping: a cancelled connector call now hands the job back instead of failing it. */
  public void markStopping() {
    stopping = true;
  }

  /** Drain grace is over: stop the work and hand the job back without counting an attempt. */
  public void drain() {
    stopping = true;
    settle(new AttemptOutcome.Drained());
  }

  private void settle(AttemptOutcome o) {
    if (outcome.tryComplete(o)) {
      lease.stop();
      vertx.cancelTimer(timeoutTimer);
    }
  }

  private boolean decided() {
    return outcome.future().isComplete();
  }

  private Future<JsonObject> pipeline(long deadline) {
    return stage(SpanName.JOB_PREPROCESSING, this::preprocess)
        .compose(v -> callExternal(deadline))
        .compose(result -> stage(SpanName.JOB_POSTPROCESSING, () -> postprocess(result)));
  }

  private <T> Future<T> stage(String name, Supplier<Future<T>> body) {
    if (decided()) {
      return Future.failedFuture(new AttemptOutcome.Abandoned());
    }
    Span s = attemptSpans.stage(name, procCtx);
    stageCtx = procCtx.with(s);
    stageComponent = WorkerSpans.COMPONENT;
    Future<T> f;
    try {
      f = body.get();
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    return f.onComplete(ar -> attemptSpans.end(s, ar.failed() ? ar.cause() : null));
  }

  private Future<Void> preprocess() {
    if (job.payload() == null) {
      return Future.failedFuture(new IllegalArgumentException("job has no payload"));
    }
    Span.fromContext(stageCtx).setAttribute(Attr.JOB_PAYLOAD_SIZE, (long) job.payloadBytes());
    return Future.succeededFuture();
  }

  private Future<JsonObject> callExternal(long deadline) {
    if (decided()) {
      return Future.failedFuture(new AttemptOutcome.Abandoned());
    }
    externalStartNanos = System.nanoTime();
    external = attemptSpans.external(procCtx);
    Context extCtx = procCtx.with(external);
    stageCtx = extCtx;
    stageComponent = connector.type();
    JobContext ctx = new JobContext(job, job.attempt(), deadline, extCtx, attemptSpans.tracer(),
        new TracedResultStore(results, attemptSpans.tracer(), procCtx, redactor));
    Future<JsonObject> f;
    try {
      f = connector.process(ctx, (percent, message) -> onWorkerContext(() -> throttle.report(percent, message)));
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    return f.transform(ar -> {
      if (ar.failed()) {
        endExternal(ar.cause());
        return Future.failedFuture(ar.cause());
      }
      endExternal(null);
      return Future.succeededFuture(ar.result() == null ? new JsonObject() : ar.result());
    });
  }

  private Future<JsonObject> postprocess(JsonObject result) {
    Span.fromContext(stageCtx).setAttribute(Attr.JOB_RESULT_SIZE_BYTES, (long) result.toBuffer().length());
    return Future.succeededFuture(result);
  }

  private void endExternal(Throwable err) {
    if (external == null || externalEnded) {
      return;
    }
    externalEnded = true;
    AttemptReport.externalCall(spans.metrics(), connector, job, System.nanoTime() - externalStartNanos, err);
    attemptSpans.end(external, err);
  }

  private void onWorkerContext(Runnable r) {
    if (Vertx.currentContext() == vertxContext) {
      r.run();
    } else {
      vertxContext.runOnContext(v -> r.run());
    }
  }

  private Future<?> sendProgress(int percent, String message) {
    return writes.progress(percent, message, cfg.leaseMs()).onSuccess(lease::observe).onFailure(lease::observe);
  }

  private Future<AttemptEnd> finish(AttemptOutcome o) {
    Future<AttemptEnd> end;
    if (o instanceof AttemptOutcome.Succeeded s) {
      end = throttle.flush().transform(ignored -> writes.complete(s.result()))
          .map(at -> {
            completedAt = at;
            return AttemptEnd.COMPLETED;
          });
    } else if (o instanceof AttemptOutcome.Failed f) {
      throttle.close();
      end = failed(f);
    } else if (o instanceof AttemptOutcome.TimedOut t) {
      throttle.close();
      AttemptOutcome.TimeoutStop stop = new AttemptOutcome.TimeoutStop(t.timeoutMs());
      endExternal(stop);
      Failure failure = Failure.retryable("timeout", stop.getMessage());
      end = writes.cancelConnector().compose(v -> writes.fail(failure))
          .map(outcomeOf -> {
            spans.errorSpan(procCtx, WorkerSpans.COMPONENT, failure, stop,
                outcomeOf.kind() == FailOutcome.Kind.RETRY_SCHEDULED, redactor);
            return AttemptWrites.toEnd(outcomeOf);
          });
    } else if (o instanceof AttemptOutcome.CancelRequested) {
      throttle.close();
      endExternal(new io.emp.jobqueue.worker.spi.JobCancelledException("cancel requested"));
      end = writes.cancelConnector().compose(v -> writes.fail(Failure.cancelled("cancel requested by client")))
          .map(AttemptWrites::toEnd);
    } else if (o instanceof AttemptOutcome.LeaseLost) {
      throttle.close();
      endExternal(new LeaseLostException(job.id(), null));
      // another claim owns the job now: stop the backend work and write nothing
      end = writes.cancelConnector().map(AttemptEnd.LEASE_LOST);
    } else {
      throttle.close();
      endExternal(new io.emp.jobqueue.worker.spi.JobCancelledException("worker draining"));
      end = writes.release();
    }
    return end.recover(err -> {
      if (err instanceof LeaseLostException) {
        return Future.succeededFuture(AttemptEnd.LEASE_LOST);
      }
      STORE_WARNINGS.warn("ending an attempt failed; its lease will run out and the reaper retries it", err);
      return Future.succeededFuture(AttemptEnd.STORE_ERROR);
    });
  }

  private Future<AttemptEnd> failed(AttemptOutcome.Failed f) {
    // The one place a connector failure becomes the stored error, the job_failed event and the error
    // span: provider text is redacted here, for every connector.
    Failure failure = redactor.redact(connector.classify(f.error()));
    if (failure.kind() == Failure.Kind.CANCELLED && stopping) {
      return writes.release(); // a stopping worker never ends a job: its work was cut short, not wrong
    }
    return writes.fail(failure).map(o -> {
      if (failure.kind() != Failure.Kind.CANCELLED) {
        spans.errorSpan(f.failing(), f.component(), failure, f.error(), o.kind() == FailOutcome.Kind.RETRY_SCHEDULED,
            redactor);
      }
      return AttemptWrites.toEnd(o);
    });
  }
}
