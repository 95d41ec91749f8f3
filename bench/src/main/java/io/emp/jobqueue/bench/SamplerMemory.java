package io.emp.jobqueue.bench;

import io.emp.jobqueue.core.telemetry.SamplingPolicy;
import io.emp.jobqueue.core.telemetry.TailSampler;
import io.emp.jobqueue.core.telemetry.TailSamplingProcessor;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Heap held per buffered span in the tail sampler: buffers 10,000 seed spans of undecided job
 * traces and compares used heap after full GCs. Run: bench/run.sh buffer
 */
public final class SamplerMemory {
  public static void main(String[] args) {
    int n = 10_000;
    TailSampler sampler = new TailSampler(new SamplingPolicy(true, 5000, 1000, 0.5, 0.1, java.util.Map.of(),
        java.util.Set.of("vip"), n + 1, 3_600_000, 100_000));
    SpanProcessor sink = SpanProcessor.composite();
    Tracer tracer = SdkTracerProvider.builder().addSpanProcessor(new TailSamplingProcessor(sampler, sink)).build()
        .get("mem");
    long before = usedAfterGc();
    for (int i = 0; i < n; i++) {
      TracingBench.claimSpan(tracer, Context.root()).end();
    }
    long after = usedAfterGc();
    System.out.printf(Locale.ROOT, "buffered %d spans (%d traces): %.0f bytes per buffered seed span%n",
        sampler.bufferedSpans(), sampler.bufferedTraces(), (after - before) / (double) n);
  }

  private static long usedAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
