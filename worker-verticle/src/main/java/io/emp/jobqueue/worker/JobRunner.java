package io.emp.jobqueue.worker;

import io.emp.jobqueue.core.logging.LogFormat;
import io.emp.jobqueue.core.model.Failure;
import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.model.LeaseLostException;
import io.emp.jobqueue.core.model.SecretRedactor;
import io.emp.jobqueue.core.telemetry.RateLimitedLog;
import io.emp.jobqueue.core.telemetry.Seed;
import io.emp.jobqueue.core.telemetry.SamplingPolicy;
import io.emp.jobqueue.core.telemetry.Seed.Attr;
import io.emp.jobqueue.core.telemetry.TraceContexts;
import io.emp.jobqueue.queue.store.ClaimedJob;
import io.emp.jobqueue.queue.store.FailOutcome;
import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.worker.spi.Connector;
import io.emp.jobqueue.worker.spi.JobContext;
import io.emp.jobqueue.worker.spi.ResultStore;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
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

  private sealed interface Outcome {
  }

  private record Succeeded(JsonObject result) implements Outcome {
  }

  private record Failed(Throwable error, Context failing, String component) implements Outcome {
  }

  private record TimedOut(long timeoutMs) implements Outcome {
  }

  private record CancelRequested() implements Outcome {
  }

  private record LeaseLost() implements Outcome {
  }

  private record Drained() implements Outcome {
  }

  /** A later stage found the attempt already decided. */
  private static final class Abandoned extends RuntimeException {
    Abandoned() {
      super("attempt already ended", null, false, false);
    }
  }

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
  private final Promise<Outcome> outcome = Promise.promise();
  private Span processing;
  private Context procCtx;
  private String traceparent;
  private Span external;
  private boolean externalEnded;
  private Context stageCtx;
  private String stageComponent = WorkerSpans.COMPONENT;
  private ProgressThrottle throttle;
  private LeaseKeeper lease;
  private long timeoutTimer = -1;
  private long startedAt;
  private int uploads;
  private boolean stopping;
  private long completedAt;
  private long runStartNanos;
  private long externalStartNanos;

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
  }

  public String jobId() {
    return job.id();
  }

  /** Starts the attempt; the future tells how it ended and never fails. */
  public Future<AttemptEnd> run() {
    startedAt = System.currentTimeMillis();
    runStartNanos = System.nanoTime();
    spans.metrics().busy(connector.type(), 1);
    Tracer tracer = spans.processingTracer(connector.type());
    processing = startProcessingSpan(tracer);
    procCtx = claimCtx.with(processing);
    stageCtx = procCtx;
    traceparent = TraceContexts.inject(procCtx).traceparent();
    throttle = new ProgressThrottle(vertx, cfg.progressThrottleMs(), this::sendProgress);
    lease = new LeaseKeeper(vertx, store, job.id(), claimed.token(), cfg.leaseMs(), cfg.renewIntervalMs(),
        new LeaseKeeper.Listener() {
          @Override
          public void cancelRequested() {
            settle(new CancelRequested());
          }

          @Override
          public void leaseLost() {
            settle(new LeaseLost());
          }
        });
    lease.start();
    long timeoutMs = job.timeoutMs() != null && job.timeoutMs() > 0 ? job.timeoutMs() : cfg.defaultJobTimeoutMs();
    timeoutTimer = vertx.setTimer(timeoutMs, t -> settle(new TimedOut(timeoutMs)));
    pipeline(tracer, startedAt + timeoutMs).onComplete(ar -> settle(ar.succeeded() ? new Succeeded(ar.result())
        : new Failed(ar.cause(), stageCtx, stageComponent)));
    return outcome.future().compose(this::finish).map(end -> {
      WorkerMetrics.SlaFact sla = slaOf(end);
      endProcessing(end, sla);
      boolean kept = reportOutcome(end);
      WorkerMetrics metrics = spans.metrics();
      metrics.busy(connector.type(), -1);
      metrics.attemptEnded(job, end, System.nanoTime() - runStartNanos, sla, kept ? job.trace().traceId() : null,
          processing.getSpanContext().getSpanId());
      return end;
    });
  }

  /**
   * A cancel signal reached this worker (control plane): the attempt ends as a cancel request does
   * at a lease renewal, only sooner. The job's cancel flag in Redis was set before the signal went out.
   */
  public void requestCancel() {
    if (lease != null) {
      settle(new CancelRequested());
    }
  }

  /** The worker is stopping: a cancelled connector call now hands the job back instead of failing it. */
  public void markStopping() {
    stopping = true;
  }

  /** Drain grace is over: stop the work and hand the job back without counting an attempt. */
  public void drain() {
    stopping = true;
    settle(new Drained());
  }

  private void settle(Outcome o) {
    if (outcome.tryComplete(o)) {
      lease.stop();
      vertx.cancelTimer(timeoutTimer);
    }
  }

  private boolean decided() {
    return outcome.future().isComplete();
  }

  // ------------------------------------------------------------------ pipeline

  private Future<JsonObject> pipeline(Tracer tracer, long deadline) {
    return stage(tracer, Seed.Span.JOB_PREPROCESSING, this::preprocess)
        .compose(v -> callExternal(tracer, deadline))
        .compose(result -> stage(tracer, Seed.Span.JOB_POSTPROCESSING, () -> postprocess(result)));
  }

  private <T> Future<T> stage(Tracer tracer, String name, Supplier<Future<T>> body) {
    if (decided()) {
      return Future.failedFuture(new Abandoned());
    }
    Span s = tracer.spanBuilder(name).setParent(procCtx).startSpan();
    stageCtx = procCtx.with(s);
    stageComponent = WorkerSpans.COMPONENT;
    Future<T> f;
    try {
      f = body.get();
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    return f.onComplete(ar -> {
      if (ar.failed()) {
        WorkerSpans.recordException(s, ar.cause(), redactor);
        WorkerSpans.errorStatus(s, ar.cause(), redactor);
      }
      s.end();
    });
  }

  private Future<Void> preprocess() {
    if (job.payload() == null) {
      return Future.failedFuture(new IllegalArgumentException("job has no payload"));
    }
    Span.fromContext(stageCtx).setAttribute(Attr.JOB_PAYLOAD_SIZE, (long) job.payload().toBuffer().length());
    return Future.succeededFuture();
  }

  private Future<JsonObject> callExternal(Tracer tracer, long deadline) {
    if (decided()) {
      return Future.failedFuture(new Abandoned());
    }
    Connector.ExternalService ext = connector.externalService();
    externalStartNanos = System.nanoTime();
    external = tracer.spanBuilder(Seed.Span.EXTERNAL_CALL).setParent(procCtx).setSpanKind(SpanKind.CLIENT)
        .setAttribute(Attr.WORKER_CONNECTOR_TYPE, connector.type()).startSpan();
    putExternal(external, ext);
    Context extCtx = procCtx.with(external);
    stageCtx = extCtx;
    stageComponent = connector.type();
    JobContext ctx = new JobContext(job, job.attempt(), deadline, extCtx, tracer, new RecordingResults(tracer),
        -1);
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
    Span.fromContext(stageCtx).setAttribute("job.result_size_bytes", (long) result.toBuffer().length());
    return Future.succeededFuture(result);
  }

  private void endExternal(Throwable err) {
    if (external == null || externalEnded) {
      return;
    }
    externalEnded = true;
    Connector.ExternalService ext = connector.externalService();
    spans.metrics().externalCall(ext == null || ext.name() == null ? connector.type() : ext.name(),
        ext == null ? null : ext.endpoint(), WorkerMetrics.modelOf(job), System.nanoTime() - externalStartNanos,
        externalOutcome(err));
    if (err != null) {
      WorkerSpans.recordException(external, err, redactor);
      WorkerSpans.errorStatus(external, err, redactor);
    }
    external.end();
  }

  private void onWorkerContext(Runnable r) {
    if (Vertx.currentContext() == vertxContext) {
      r.run();
    } else {
      vertxContext.runOnContext(v -> r.run());
    }
  }

  private Future<?> sendProgress(int percent, String message) {
    return store.progress(job.id(), claimed.token(), percent, message, cfg.leaseMs(), traceparent)
        .onSuccess(lease::observe).onFailure(lease::observe);
  }

  // ------------------------------------------------------------------ ending the attempt

  /**
   * Tells the node's tail sampler how this attempt ended, so the spans it buffered for the job's trace
   * are kept or dropped. Only a clean first-attempt completion can be dropped; anything else is an
   * error for sampling and kept (docs/telemetry.md). Returns whether the trace is kept.
   */
  private boolean reportOutcome(AttemptEnd end) {
    boolean clean = end == AttemptEnd.COMPLETED;
    long finished = clean ? completedAt : System.currentTimeMillis();
    return spans.sampler().decide(job.trace().traceId(), SamplingPolicy.jobOutcome(!clean, job.attempt(),
        job.createdAt(), finished, job.customerId(), job.trace().baggage()));
  }

  /**
   * The SLA check when the job reached its final outcome in this attempt: completed (Redis clock,
   * submit to complete) or failed for good (claim time on the Redis clock plus the attempt's
   * monotonic duration). Null for an attempt that is not the job's last.
   */
  private WorkerMetrics.SlaFact slaOf(AttemptEnd end) {
    if (end == AttemptEnd.COMPLETED) {
      return spans.metrics().sla(job, completedAt - job.createdAt(), true);
    }
    if (end == AttemptEnd.FAILED) {
      long endedAt = claimed.claimedAt() + (System.nanoTime() - runStartNanos) / 1_000_000;
      return spans.metrics().sla(job, endedAt - job.createdAt(), false);
    }
    return null;
  }

  private String externalOutcome(Throwable err) {
    if (err == null) {
      return "success";
    }
    if (err instanceof TimeoutStop) {
      return "timeout";
    }
    if (err instanceof LeaseLostException) {
      return "cancelled";
    }
    Failure f;
    try {
      f = connector.classify(err);
    } catch (RuntimeException e) {
      return "error";
    }
    return f.kind() == Failure.Kind.CANCELLED ? "cancelled" : "timeout".equals(f.type()) ? "timeout" : "error";
  }

  private Future<AttemptEnd> finish(Outcome o) {
    Future<AttemptEnd> end;
    if (o instanceof Succeeded s) {
      end = throttle.flush().transform(ignored -> store.complete(job.id(), claimed.token(), s.result(), traceparent))
          .map(at -> {
            completedAt = at;
            return AttemptEnd.COMPLETED;
          });
    } else if (o instanceof Failed f) {
      throttle.close();
      end = failed(f);
    } else if (o instanceof TimedOut t) {
      throttle.close();
      TimeoutStop stop = new TimeoutStop(t.timeoutMs());
      endExternal(stop);
      Failure failure = Failure.retryable("timeout", stop.getMessage());
      end = cancelConnector().compose(v -> store.fail(job.id(), claimed.token(), failure, traceparent))
          .map(outcomeOf -> {
            spans.errorSpan(procCtx, WorkerSpans.COMPONENT, failure, stop,
                outcomeOf.kind() == FailOutcome.Kind.RETRY_SCHEDULED, redactor);
            return toEnd(outcomeOf);
          });
    } else if (o instanceof CancelRequested) {
      throttle.close();
      endExternal(new io.emp.jobqueue.worker.spi.JobCancelledException("cancel requested"));
      end = cancelConnector().compose(v -> store.fail(job.id(), claimed.token(),
          Failure.cancelled("cancel requested by client"), traceparent)).map(this::toEnd);
    } else if (o instanceof LeaseLost) {
      throttle.close();
      endExternal(new LeaseLostException(job.id(), null));
      // another claim owns the job now: stop the backend work and write nothing
      end = cancelConnector().map(AttemptEnd.LEASE_LOST);
    } else {
      throttle.close();
      endExternal(new io.emp.jobqueue.worker.spi.JobCancelledException("worker draining"));
      end = release();
    }
    return end.recover(err -> {
      if (err instanceof LeaseLostException) {
        return Future.succeededFuture(AttemptEnd.LEASE_LOST);
      }
      STORE_WARNINGS.warn("ending an attempt failed; its lease will run out and the reaper retries it", err);
      return Future.succeededFuture(AttemptEnd.STORE_ERROR);
    });
  }

  private Future<AttemptEnd> failed(Failed f) {
    // The one place a connector failure becomes the stored error, the job_failed event and the error
    // span: provider text is redacted here, for every connector.
    Failure failure = redactor.redact(connector.classify(f.error()));
    if (failure.kind() == Failure.Kind.CANCELLED && stopping) {
      return release(); // a stopping worker never ends a job: its work was cut short, not wrong
    }
    return store.fail(job.id(), claimed.token(), failure, traceparent).map(o -> {
      if (failure.kind() != Failure.Kind.CANCELLED) {
        spans.errorSpan(f.failing(), f.component(), failure, f.error(), o.kind() == FailOutcome.Kind.RETRY_SCHEDULED,
            redactor);
      }
      return toEnd(o);
    });
  }

  private Future<AttemptEnd> release() {
    return cancelConnector().compose(v -> store.release(job.id(), claimed.token(), traceparent))
        .map(AttemptEnd.RELEASED);
  }

  private Future<Void> cancelConnector() {
    Future<Void> f;
    try {
      f = connector.cancel(job.id());
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    return f.recover(err -> {
      LogFormat.log(LOG, System.Logger.Level.WARNING, procCtx, "connector cancel of job " + job.id() + " failed: "
          + err, null);
      return Future.succeededFuture();
    });
  }

  private AttemptEnd toEnd(FailOutcome o) {
    return switch (o.kind()) {
      case RETRY_SCHEDULED -> AttemptEnd.RETRY_SCHEDULED;
      case FAILED -> AttemptEnd.FAILED;
      case CANCELLED -> AttemptEnd.CANCELLED;
    };
  }

  // ------------------------------------------------------------------ spans

  private Span startProcessingSpan(Tracer tracer) {
    Span s = tracer.spanBuilder(Seed.Span.JOB_PROCESSING).setParent(claimCtx).setSpanKind(SpanKind.INTERNAL)
        .setAttribute(Attr.JOB_ID, job.id())
        .setAttribute(Attr.JOB_TYPE, job.serviceRequired())
        .setAttribute(Attr.JOB_SERVICE_REQUIRED, job.serviceRequired())
        .setAttribute(Attr.JOB_PAYLOAD_SIZE, (long) job.payload().toBuffer().length())
        .setAttribute(Attr.JOB_RETRY_COUNT, (long) job.retryCount())
        .setAttribute(Attr.JOB_ATTEMPT, (long) job.attempt())
        .setAttribute(Attr.WORKER_ID, cfg.workerId())
        .setAttribute(Attr.WORKER_CONNECTOR_TYPE, connector.type())
        .setAttribute(Attr.WORKER_MAX_CONCURRENT_JOBS, (long) cfg.concurrency())
        .setAttribute(Attr.PROCESSING_START_TIME, startedAt)
        .setAttribute(Attr.PROCESSING_STATUS, "started")
        .setAttribute(Attr.MACHINE_CPU_CORES, (long) machine.cpuCores())
        .setAttribute(Attr.MACHINE_RAM_GB, machine.ramGb())
        .startSpan();
    if (cfg.machineId() != null) {
      s.setAttribute(Attr.WORKER_MACHINE_ID, cfg.machineId());
    }
    if (machine.gpuCount() != null) {
      s.setAttribute(Attr.MACHINE_GPU_COUNT, (long) machine.gpuCount());
      s.setAttribute(Attr.MACHINE_GPU_MEMORY_GB, machine.gpuMemoryGb());
    }
    Long estimate = connector.estimatedDurationMs(job);
    if (estimate != null) {
      s.setAttribute(Attr.PROCESSING_ESTIMATED_DURATION_MS, estimate);
    }
    putIf(s, Attr.CUSTOMER_ID, job.customerId());
    putIf(s, Attr.WORKFLOW_ID, job.workflowId());
    putIf(s, Attr.CORRELATION_ID, job.correlationId());
    putExternal(s, connector.externalService());
    return s;
  }

  private void endProcessing(AttemptEnd end, WorkerMetrics.SlaFact sla) {
    if (sla != null) {
      processing.setAttribute(Attr.SLA_TIER, sla.tier());
      processing.setAttribute(Attr.SLA_PROMISED_MS, sla.promisedMs());
      processing.setAttribute(Attr.SLA_ACTUAL_MS, sla.actualMs());
      processing.setAttribute(Attr.SLA_MET, sla.met());
    }
    processing.setAttribute(Attr.PROCESSING_ACTUAL_DURATION_MS, System.currentTimeMillis() - startedAt);
    processing.setAttribute(Attr.PROCESSING_STATUS, switch (end) {
      case COMPLETED -> "completed";
      case RETRY_SCHEDULED, FAILED, STORE_ERROR -> "failed";
      case CANCELLED -> "cancelled";
      case RELEASED -> "released";
      case LEASE_LOST -> "abandoned";
    });
    processing.setAttribute("worker.attempt_end", end.name().toLowerCase());
    if (end != AttemptEnd.COMPLETED && end != AttemptEnd.RELEASED) {
      processing.setStatus(StatusCode.ERROR, end.name().toLowerCase());
    }
    processing.end();
  }

  private static void putExternal(Span s, Connector.ExternalService ext) {
    if (ext == null) {
      return;
    }
    putIf(s, Attr.EXTERNAL_SERVICE_NAME, ext.name());
    putIf(s, Attr.EXTERNAL_SERVICE_ENDPOINT, ext.endpoint());
    putIf(s, Attr.EXTERNAL_SERVICE_VERSION, ext.version());
  }

  private static void putIf(Span s, String key, String value) {
    if (value != null) {
      s.setAttribute(key, value);
    }
  }

  /** The attempt ran past its timeout. */
  static final class TimeoutStop extends RuntimeException {
    TimeoutStop(long timeoutMs) {
      super("job exceeded its timeout of " + timeoutMs + " ms", null, false, false);
    }
  }

  /** Gives every stored output its job.result_upload span under job.processing. */
  private final class RecordingResults implements ResultStore {
    private final Tracer tracer;

    RecordingResults(Tracer tracer) {
      this.tracer = tracer;
    }

    @Override
    public Future<StoredResult> store(String jobId, String name, Buffer data, String contentType) {
      Span s = tracer.spanBuilder(Seed.Span.JOB_RESULT_UPLOAD).setParent(procCtx)
          .setAttribute("result.name", name).setAttribute("result.content_type", String.valueOf(contentType))
          .setAttribute("result.size_bytes", (long) data.length()).startSpan();
      Future<StoredResult> f;
      try {
        f = results.store(jobId, name, data, contentType);
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      return f.onComplete(ar -> {
        if (ar.succeeded()) {
          uploads++;
          s.setAttribute("result.uri", ar.result().uri());
        } else {
          WorkerSpans.recordException(s, ar.cause(), redactor);
          WorkerSpans.errorStatus(s, ar.cause(), redactor);
        }
        s.end();
      });
    }
  }
}
