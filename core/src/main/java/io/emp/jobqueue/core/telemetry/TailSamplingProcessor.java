package io.emp.jobqueue.core.telemetry;

import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;

/** Puts a {@link TailSampler} in front of a downstream processor (an exporter's batch processor, the trace store). */
public final class TailSamplingProcessor implements SpanProcessor {
  private final TailSampler sampler;
  private final SpanProcessor sink;

  public TailSamplingProcessor(TailSampler sampler, SpanProcessor sink) {
    this.sampler = sampler;
    this.sink = sink;
  }

  @Override
  public void onStart(Context parentContext, ReadWriteSpan span) {
    if (sink.isStartRequired()) {
      sink.onStart(parentContext, span);
    }
  }

  @Override
  public boolean isStartRequired() {
    return sink.isStartRequired();
  }

  @Override
  public void onEnd(ReadableSpan span) {
    sampler.onEnd(span, sink);
  }

  @Override
  public boolean isEndRequired() {
    return true;
  }

  @Override
  public CompletableResultCode forceFlush() {
    return sink.forceFlush();
  }

  @Override
  public CompletableResultCode shutdown() {
    return sink.shutdown();
  }
}
