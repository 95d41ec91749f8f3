package io.emp.jobqueue.core.metrics;

import io.prometheus.metrics.tracer.common.SpanContext;

/**
 * Where histogram exemplars come from. The Prometheus client asks its span context for the
 * "current" trace when it samples an exemplar; ours answers only inside {@link #within}, which the
 * recording code calls with a trace the tail sampler KEPT. Every other observation (Vert.x's own
 * meters, jobs whose trace was dropped) finds no current span and gets no exemplar, so an exemplar
 * never points at a trace that no backend has.
 */
public final class Exemplars {
  private static final ThreadLocal<String[]> CURRENT = new ThreadLocal<>();

  /** The span context given to the Prometheus registry. */
  static final SpanContext SPAN_CONTEXT = new SpanContext() {
    @Override
    public String getCurrentTraceId() {
      String[] c = CURRENT.get();
      return c == null ? null : c[0];
    }

    @Override
    public String getCurrentSpanId() {
      String[] c = CURRENT.get();
      return c == null ? null : c[1];
    }

    @Override
    public boolean isCurrentSpanSampled() {
      return CURRENT.get() != null;
    }

    @Override
    public void markCurrentSpanAsExemplar() {
      // the trace is kept already; nothing to mark
    }
  };

  private Exemplars() {
  }

  /** Runs {@code body} (a histogram observation) with {@code traceId}/{@code spanId} as the exemplar candidate. */
  public static void within(String traceId, String spanId, Runnable body) {
    String[] previous = CURRENT.get();
    CURRENT.set(new String[] {traceId, spanId});
    try {
      body.run();
    } finally {
      if (previous == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(previous);
      }
    }
  }
}
