package io.emp.jobqueue.worker;

import io.emp.jobqueue.core.telemetry.SpanAttributes;
import io.emp.jobqueue.core.telemetry.Attr;
import io.emp.jobqueue.core.telemetry.ServiceName;
import io.emp.jobqueue.core.telemetry.SpanName;
import io.emp.jobqueue.core.model.Failure;
import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.model.SecretRedactor;
import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.core.telemetry.TraceContexts;
import io.emp.jobqueue.queue.store.ClaimedJob;
import io.emp.jobqueue.worker.spi.Connector;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** The worker's seed spans: names, service names and attributes in one place; and its {@link WorkerMetrics}. */
public final class WorkerSpans {
  /** matching.function: the claim is one Lua script. */
  public static final String MATCHING_FUNCTION = "claim.lua";
  /** The {component} of the worker's own error spans (worker.error.timeout, ...). */
  public static final String COMPONENT = "worker";
  private static final int STACK_TRACE_MAX = 4_000;
  /** The names {@link Span#recordException} uses (OpenTelemetry semantic conventions). */
  private static final String EXCEPTION_EVENT = "exception";
  private static final AttributeKey<String> EXCEPTION_TYPE = AttributeKey.stringKey("exception.type");
  private static final AttributeKey<String> EXCEPTION_MESSAGE = AttributeKey.stringKey("exception.message");
  private static final AttributeKey<String> EXCEPTION_STACKTRACE = AttributeKey.stringKey("exception.stacktrace");

  private final Telemetry telemetry;
  private final WorkerConfig cfg;
  private final Tracer claimTracer;
  private final Attributes claimConstants;
  private final Map<String, Attributes> processingConstants = new ConcurrentHashMap<>();
  private final WorkerMetrics metrics;

  public WorkerSpans(Telemetry telemetry, WorkerConfig cfg) {
    this.telemetry = telemetry;
    this.cfg = cfg;
    this.claimTracer = telemetry.tracer(ServiceName.WORKER);
    // what every claim span of this worker says alike, built once (the capabilities' JSON was
    // encoded per claim: issue 16)
    var constants = Attributes.builder()
        .put(Attr.WORKER_ID, cfg.workerId())
        .put(Attr.WORKER_CAPABILITIES, cfg.capabilities().toJson().encode())
        .put(Attr.MATCHING_FUNCTION, MATCHING_FUNCTION)
        .put(Attr.MATCHING_SCAN_LIMIT, (long) cfg.scanLimit());
    if (cfg.machineId() != null) {
      constants.put(Attr.WORKER_MACHINE_ID, cfg.machineId());
    }
    this.claimConstants = constants.build();
    this.metrics = new WorkerMetrics(telemetry.metrics(), cfg, telemetry.sampler().policy());
  }

  /** The worker's metrics, recorded from the same facts as its spans (not from the spans). */
  public WorkerMetrics metrics() {
    return metrics;
  }

  /** The node's tail sampler, told how each attempt ended. */
  public io.emp.jobqueue.core.telemetry.TailSampler sampler() {
    return telemetry.sampler();
  }

  /**
   * The attributes every job.processing span of this worker and connector shares (worker, connector,
   * machine), built once per connector type.
   */
  Attributes processingConstants(Connector connector, MachineInfo machine) {
    return processingConstants.computeIfAbsent(connector.type(), t -> {
      var b = Attributes.builder()
          .put(Attr.WORKER_ID, cfg.workerId())
          .put(Attr.WORKER_CONNECTOR_TYPE, t)
          .put(Attr.WORKER_MAX_CONCURRENT_JOBS, (long) cfg.concurrency())
          .put(Attr.MACHINE_CPU_CORES, (long) machine.cpuCores())
          .put(Attr.MACHINE_RAM_GB, machine.ramGb());
      if (cfg.machineId() != null) {
        b.put(Attr.WORKER_MACHINE_ID, cfg.machineId());
      }
      if (machine.gpuCount() != null) {
        b.put(Attr.MACHINE_GPU_COUNT, (long) machine.gpuCount());
        b.put(Attr.MACHINE_GPU_MEMORY_GB, machine.gpuMemoryGb());
      }
      return b.build();
    });
  }

  /** Tracer of emp-{type}-worker for the connector type (comfyui, openai, simulation). */
  public Tracer processingTracer(String service) {
    return telemetry.tracer(ServiceName.worker(service));
  }

  /**
   * The redis.job.claim span of a claim that found a job, continued from the context stored with the
   * job, spanning the claim call after the fact ({@code startedAt} .. now).
   */
  public Context claimSpan(ClaimedJob claimed, Instant startedAt, long startNanos) {
    Job job = claimed.job();
    long durationMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    Context parent = TraceContexts.extract(job.trace());
    var builder = claimTracer.spanBuilder(SpanName.REDIS_CLAIM).setParent(parent).setSpanKind(SpanKind.CONSUMER)
        .setStartTimestamp(startedAt)
        .setAllAttributes(claimConstants)
        .setAttribute(Attr.MATCHING_JOBS_EVALUATED, (long) claimed.jobsEvaluated())
        .setAttribute(Attr.MATCHING_DURATION_MS, durationMs)
        .setAttribute(Attr.QUEUE_JOBS_PENDING, claimed.pendingAfter())
        .setAttribute(Attr.QUEUE_WAIT_TIME_MS, claimed.waitMs())
        .setAttribute(Attr.TRACE_CONTEXT_RETRIEVED, job.trace().isPresent())
        .setAttribute(Attr.JOB_ID, job.id())
        .setAttribute(Attr.JOB_SERVICE_REQUIRED, job.serviceRequired())
        .setAttribute(Attr.JOB_ATTEMPT, (long) job.attempt())
        .setAttribute(Attr.JOB_RETRY_COUNT, (long) job.retryCount())
        .setAttribute(Attr.MESSAGING_MESSAGE_ID, job.id());
    Span span = SpanAttributes.redisQueue(builder, "claim", "receive", job.serviceRequired()).startSpan();
    if (job.trace().traceId() != null) {
      span.setAttribute(Attr.TRACE_PARENT_ID, job.trace().traceId());
    }
    span.end();
    return parent.with(span);
  }

  /**
   * A {component}.error.{type} span under {@code failing}, service emp-{component} (seed §7): the
   * failure's facts plus what the queue does next ({@code strategy} retry or fail).
   */
  public void errorSpan(Context failing, String component, Failure failure, Throwable error, boolean retry,
                        SecretRedactor redactor) {
    failure = redactor.redact(failure);
    // seed §7: the span's {component} also names its service, emp-{component} (emp-simulation, emp-worker)
    metrics.error(component, failure.type());
    Tracer errorTracer = telemetry.tracer(ServiceName.component(component));
    Span s = errorTracer.spanBuilder(SpanName.error(component, failure.type())).setParent(failing)
        .setAttribute(Attr.ERROR_TYPE, failure.type())
        .setAttribute(Attr.ERROR_MESSAGE, failure.message())
        .setAttribute(Attr.RECOVERY_ATTEMPTED, retry)
        .setAttribute(Attr.RECOVERY_STRATEGY, retry ? "retry" : "fail")
        .setAttribute(Attr.IMPACT_JOB_FAILED, !retry)
        .setAttribute(Attr.IMPACT_SERVICE_DEGRADED, false)
        .setAttribute(Attr.DEBUG_COMPONENT_VERSION, telemetry.config().version())
        .setAttribute(Attr.DEBUG_ENVIRONMENT, telemetry.config().environment())
        .startSpan();
    // recovery.success is known only when the next attempt ends; a retry scheduled is not yet a success
    s.setAttribute(Attr.RECOVERY_SUCCESS, false);
    s.setAttribute(Attr.ERROR_CODE, failure.code() != null ? failure.code() : failure.kind().wire());
    if (cfg.machineId() != null) {
      s.setAttribute(Attr.DEBUG_MACHINE_ID, cfg.machineId());
    }
    if (error != null) {
      s.setAttribute(Attr.ERROR_STACK_TRACE, redactor.redact(stackTrace(error)));
      recordException(s, error, redactor);
    }
    s.setStatus(StatusCode.ERROR, failure.type());
    s.end();
  }

  /**
   * {@link Span#recordException} with the message and stack trace redacted: an exception's text may
   * carry what a provider echoed back (an API key, a bearer token).
   */
  public static void recordException(Span span, Throwable error, SecretRedactor redactor) {
    span.addEvent(EXCEPTION_EVENT, Attributes.of(EXCEPTION_TYPE, error.getClass().getName(),
        EXCEPTION_MESSAGE, String.valueOf(redactor.redact(error.getMessage())),
        EXCEPTION_STACKTRACE, redactor.redact(stackTrace(error))));
  }

  /** The span status for a failure: ERROR with the redacted message. */
  public static void errorStatus(Span span, Throwable error, SecretRedactor redactor) {
    span.setStatus(StatusCode.ERROR, String.valueOf(redactor.redact(error.getMessage())));
  }

  static String stackTrace(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    String s = w.toString();
    return s.length() > STACK_TRACE_MAX ? s.substring(0, STACK_TRACE_MAX) : s;
  }
}
