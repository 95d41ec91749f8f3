package io.emp.jobqueue.core.telemetry;

import io.emp.jobqueue.core.model.TraceContext;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.HashMap;
import java.util.Map;

/** Moves OpenTelemetry context into and out of {@link TraceContext} (job hash, event-bus headers, streams). */
public final class TraceContexts {
  private static final TextMapPropagator PROPAGATOR = TextMapPropagator.composite(
      W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance());
  private static final TextMapSetter<Map<String, String>> SET = Map::put;
  private static final TextMapGetter<Map<String, String>> GET = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Map<String, String> carrier) {
      return carrier.keySet();
    }

    @Override
    public String get(Map<String, String> carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  };

  private TraceContexts() {
  }

  public static TraceContext inject(Context ctx) {
    Map<String, String> m = new HashMap<>(4);
    PROPAGATOR.inject(ctx, m, SET);
    return TraceContext.from(m::get);
  }

  /**
   * A context whose parent is the carried span (remote), with the carried baggage; the root context
   * when nothing is carried.
   */
  public static Context extract(TraceContext tc) {
    // baggage may come without a traceparent (a client that only declares customer.tier): keep it
    if (tc == null || (!tc.isPresent() && tc.baggage() == null)) {
      return Context.root();
    }
    return PROPAGATOR.extract(Context.root(), tc.toMap(), GET);
  }
}
