package io.emp.jobqueue.bench;

import io.emp.jobqueue.core.telemetry.Attr;
import io.emp.jobqueue.core.telemetry.SpanName;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.core.telemetry.SamplingPolicy;
import io.emp.jobqueue.core.telemetry.TailSampler;
import io.emp.jobqueue.core.telemetry.TailSamplingProcessor;
import io.emp.jobqueue.core.telemetry.TraceContexts;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Micro-benchmarks of the tracing hot paths (issue 5): a seed span with all its attributes, W3C
 * inject + extract, and the tail sampler's cost per span. Run: bench/run.sh tracing
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class TracingBench {
  private SdkTracerProvider plain;
  private SdkTracerProvider sampled;
  private Tracer plainTracer;
  private Tracer sampledTracer;
  private TailSampler sampler;
  private Context parent;
  private TraceContext carried;

  @Setup(Level.Trial)
  public void setup() {
    plain = SdkTracerProvider.builder().addSpanProcessor(batch()).build();
    plainTracer = plain.get("bench");
    // Huge buffer and timeout so the benchmark measures buffering, not eviction.
    sampler = new TailSampler(new SamplingPolicy(true, 5000, 1000, 0.5, 0.1, java.util.Map.of(),
        java.util.Set.of("vip"), 50_000, 3_600_000, 100_000));
    sampled = SdkTracerProvider.builder().addSpanProcessor(new TailSamplingProcessor(sampler, batch())).build();
    sampledTracer = sampled.get("bench");
    Span root = plainTracer.spanBuilder("root").startSpan();
    parent = Context.root().with(root);
    carried = TraceContexts.inject(parent);
  }

  private static BatchSpanProcessor batch() {
    return BatchSpanProcessor.builder(new SpanExporter() {
      @Override
      public CompletableResultCode export(Collection<SpanData> spans) {
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
      }
    }).setMaxQueueSize(100_000).build();
  }

  @TearDown(Level.Trial)
  public void close() {
    plain.shutdown().join(5, TimeUnit.SECONDS);
    sampled.shutdown().join(5, TimeUnit.SECONDS);
  }

  /** redis.job.claim as the worker builds it: every seed attribute of §2. */
  static Span claimSpan(Tracer tracer, Context parent) {
    return tracer.spanBuilder(SpanName.REDIS_CLAIM).setParent(parent).setSpanKind(SpanKind.CONSUMER)
        .setAttribute(Attr.WORKER_ID, "machine-1-worker-simulation-0")
        .setAttribute(Attr.WORKER_MACHINE_ID, "machine-1")
        .setAttribute(Attr.WORKER_CAPABILITIES, "{\"worker_id\":\"w\",\"services\":[\"simulation\"]}")
        .setAttribute(Attr.MATCHING_FUNCTION, "claim.lua")
        .setAttribute(Attr.MATCHING_SCAN_LIMIT, 100L)
        .setAttribute(Attr.MATCHING_JOBS_EVALUATED, 1L)
        .setAttribute(Attr.MATCHING_DURATION_MS, 1L)
        .setAttribute(Attr.QUEUE_JOBS_PENDING, 42L)
        .setAttribute(Attr.QUEUE_WAIT_TIME_MS, 12L)
        .setAttribute(Attr.TRACE_CONTEXT_RETRIEVED, true)
        .setAttribute(Attr.TRACE_PARENT_ID, "0af7651916cd43dd8448eb211c80319c")
        .setAttribute(Attr.JOB_ID, "7e150996-ef43-4eaa-ae6f-30dadfaeae27")
        .setAttribute(Attr.MESSAGING_SYSTEM, "redis")
        .setAttribute(Attr.MESSAGING_OPERATION_NAME, "process")
        .setAttribute(Attr.MESSAGING_DESTINATION_NAME, "simulation")
        .startSpan();
  }

  @Benchmark
  public void seedSpanStartEnd() {
    claimSpan(plainTracer, parent).end();
  }

  @Benchmark
  public Context injectExtract() {
    return TraceContexts.extract(TraceContexts.inject(parent));
  }

  @Benchmark
  public Context extractOnly() {
    return TraceContexts.extract(carried);
  }

  /** The same span through the tail sampler: buffered, then its trace decided (half kept, half dropped). */
  @Benchmark
  public boolean seedSpanThroughTailSampler() {
    Span s = claimSpan(sampledTracer, Context.root());
    s.end();
    return sampler.decide(s.getSpanContext().getTraceId(), SamplingPolicy.Outcome.of(false, 2_000));
  }
}
