package io.emp.jobqueue.core.telemetry;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts what the exporters did, so an unreachable or slow collector is visible (the batch
 * processor drops silently apart from a log line): spans handed to export, exported, failed.
 */
public final class ExportStats {
  private final AtomicLong offered = new AtomicLong();
  private final AtomicLong exported = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();

  SpanExporter wrap(SpanExporter delegate) {
    return new SpanExporter() {
      @Override
      public CompletableResultCode export(Collection<SpanData> spans) {
        int n = spans.size();
        offered.addAndGet(n);
        CompletableResultCode r;
        try {
          r = delegate.export(spans);
        } catch (RuntimeException e) {
          failed.addAndGet(n);
          return CompletableResultCode.ofFailure();
        }
        r.whenComplete(() -> (r.isSuccess() ? exported : failed).addAndGet(n));
        return r;
      }

      @Override
      public CompletableResultCode flush() {
        return delegate.flush();
      }

      @Override
      public CompletableResultCode shutdown() {
        return delegate.shutdown();
      }

      @Override
      public String toString() {
        return "Counting(" + delegate + ")";
      }
    };
  }

  public Map<String, Long> counters() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("export_batches_spans", offered.get());
    m.put("exported_spans", exported.get());
    m.put("export_failed_spans", failed.get());
    return m;
  }
}
