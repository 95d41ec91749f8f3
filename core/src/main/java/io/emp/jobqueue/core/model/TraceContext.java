package io.emp.jobqueue.core.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * W3C trace context as it travels in job hashes, event-bus headers and stream entries.
 * Absent parts are {@code null}; an invalid traceparent is dropped rather than propagated.
 */
public record TraceContext(String traceparent, String tracestate, String baggage) {

  public static final String TRACEPARENT = "traceparent";
  public static final String TRACESTATE = "tracestate";
  public static final String BAGGAGE = "baggage";
  public static final TraceContext EMPTY = new TraceContext(null, null, null);

  private static final Pattern VALID =
      Pattern.compile("^[0-9a-f]{2}-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$");

  public TraceContext {
    traceparent = isValidTraceparent(traceparent) ? traceparent : null;
    tracestate = blankToNull(tracestate);
    baggage = blankToNull(baggage);
  }

  public static boolean isValidTraceparent(String tp) {
    return tp != null && VALID.matcher(tp).matches();
  }

  public static TraceContext of(String traceparent) {
    return new TraceContext(traceparent, null, null);
  }

  /** Reads the three fields from any string map (headers, hash fields). */
  public static TraceContext from(java.util.function.Function<String, String> getter) {
    return new TraceContext(getter.apply(TRACEPARENT), getter.apply(TRACESTATE), getter.apply(BAGGAGE));
  }

  public boolean isPresent() {
    return traceparent != null;
  }

  /** 32-hex trace id, or null. */
  public String traceId() {
    return traceparent == null ? null : traceparent.substring(3, 35);
  }

  /** 16-hex id of the span that wrote this context, or null. */
  public String spanId() {
    return traceparent == null ? null : traceparent.substring(36, 52);
  }

  public Map<String, String> toMap() {
    Map<String, String> m = new LinkedHashMap<>();
    if (traceparent != null) {
      m.put(TRACEPARENT, traceparent);
    }
    if (tracestate != null) {
      m.put(TRACESTATE, tracestate);
    }
    if (baggage != null) {
      m.put(BAGGAGE, baggage);
    }
    return m;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
