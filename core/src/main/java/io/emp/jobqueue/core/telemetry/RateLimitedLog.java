package io.emp.jobqueue.core.telemetry;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Warnings of a component that retries in a loop (a claim loop, the lease reaper, heartbeats) while
 * Redis or another dependency is down: one line per distinct error per interval, without a stack
 * trace, saying how many like it were held back. The first line after a recovery says so once.
 * Thread-safe.
 */
public final class RateLimitedLog {
  public static final long DEFAULT_INTERVAL_MS = 30_000;
  /** Distinct messages remembered; the oldest is forgotten past this. */
  static final int MAX_KEYS = 64;

  private final System.Logger log;
  private final String component;
  private final long intervalMs;
  private final LongSupplier clockMs;
  private final Map<String, long[]> seen = new LinkedHashMap<>(); // key -> {last logged at, held back since}
  private int failuresSinceRecovery;

  public RateLimitedLog(System.Logger log, String component) {
    this(log, component, DEFAULT_INTERVAL_MS, System::currentTimeMillis);
  }

  public RateLimitedLog(System.Logger log, String component, long intervalMs, LongSupplier clockMs) {
    if (intervalMs < 0) {
      throw new IllegalArgumentException("intervalMs must be >= 0");
    }
    this.log = log;
    this.component = component;
    this.intervalMs = intervalMs;
    this.clockMs = clockMs;
  }

  /**
   * Logs {@code "<component>: <what>: <reason>"} at WARNING unless the same line was logged within the
   * interval. Keep {@code what} free of ids (job ids, ports), or every line is distinct.
   *
   * @return whether a line was written
   */
  public boolean warn(String what, Throwable err) {
    return warn(what, describe(err));
  }

  public boolean warn(String what, String reason) {
    String key = what + '\u0000' + reason;
    long now = clockMs.getAsLong();
    long heldBack;
    synchronized (this) {
      failuresSinceRecovery++;
      long[] e = seen.get(key);
      if (e != null && now - e[0] < intervalMs) {
        e[1]++;
        return false;
      }
      heldBack = e == null ? 0 : e[1];
      seen.remove(key);
      seen.put(key, new long[] {now, 0});
      if (seen.size() > MAX_KEYS) {
        Iterator<String> oldest = seen.keySet().iterator();
        oldest.next();
        oldest.remove();
      }
    }
    log.log(System.Logger.Level.WARNING, component + ": " + what + ": " + reason
        + (heldBack > 0 ? " (" + heldBack + " more like this in the last " + seconds(intervalMs) + ")" : ""));
    return true;
  }

  /** The loop succeeded again: after failures, one INFO line, and the next failure is logged at once. */
  public void recovered(String what) {
    int failures;
    synchronized (this) {
      failures = failuresSinceRecovery;
      if (failures == 0) {
        return;
      }
      failuresSinceRecovery = 0;
      seen.clear();
    }
    log.log(System.Logger.Level.INFO, component + ": " + what + " after " + failures + " failure(s)");
  }

  /** The message of an error without its stack: the innermost message that says something. */
  static String describe(Throwable err) {
    if (err == null) {
      return "unknown error";
    }
    String m = err.getMessage();
    Throwable t = err;
    while ((m == null || m.isBlank()) && t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
      m = t.getMessage();
    }
    return m == null || m.isBlank() ? err.getClass().getSimpleName() : m;
  }

  private static String seconds(long ms) {
    return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
  }
}
