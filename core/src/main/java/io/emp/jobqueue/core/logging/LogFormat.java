package io.emp.jobqueue.core.logging;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * Installs {@link TraceLogFormatter} on the root logger's handlers, and writes log lines inside a
 * job's or request's trace context. {@code EMP_LOG_FORMAT}: {@code text} (default, human-readable)
 * or {@code json} (one object per line).
 */
public final class LogFormat {
  public static final String ENV = "EMP_LOG_FORMAT";
  public static final String TEXT = "text";
  public static final String JSON = "json";

  private LogFormat() {
  }

  /** Reads {@link #ENV}; an unknown value is an error (a typo must not silently keep the wrong format). */
  public static boolean json(Map<String, String> env) {
    String v = env.getOrDefault(ENV, TEXT).trim().toLowerCase(Locale.ROOT);
    return switch (v) {
      case "", TEXT -> false;
      case JSON -> true;
      default -> throw new IllegalArgumentException(ENV + " must be text or json (got '" + v + "')");
    };
  }

  /** Puts the formatter on every handler of the root logger. */
  public static void install(boolean json) {
    Logger root = LogManager.getLogManager().getLogger("");
    TraceLogFormatter f = new TraceLogFormatter(json);
    for (Handler h : root.getHandlers()) {
      h.setFormatter(f);
    }
    // Every Vert.x Redis client registers the same untagged pool gauges; Micrometer keeps the first
    // and warns about the others once at start-up. Nothing is lost, so the warning is noise.
    QUIETED.setLevel(java.util.logging.Level.SEVERE);
  }

  /** Held strongly: JUL forgets the level of a logger nobody references. */
  private static final Logger QUIETED = Logger.getLogger("io.micrometer.core.instrument.MeterRegistry");

  /** Logs with {@code otel} current, so the line carries that trace, span and job (a job's or request's context). */
  public static void log(System.Logger log, System.Logger.Level level, Context otel, String message, Throwable err) {
    try (Scope s = otel.makeCurrent()) {
      if (err == null) {
        log.log(level, message);
      } else {
        log.log(level, message, err);
      }
    }
  }
}
