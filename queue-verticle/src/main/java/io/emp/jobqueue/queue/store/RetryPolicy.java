package io.emp.jobqueue.queue.store;

import io.emp.jobqueue.core.config.ConfigSection;
import io.vertx.core.json.JsonObject;

/**
 * Exponential backoff with jitter for retryable failures and expired leases:
 * {@code delay = min(cap, base * 2^(attempt-1)) * (1 - jitter * U[0,1))}. The formula runs inside the
 * Redis scripts (lib.lua), fed these numbers; this record only validates and carries them.
 *
 * @param avoidWindowMs after a retry becomes due, the worker that failed it may not re-claim it for
 *                      this long, so another worker gets the first chance when one exists
 */
public record RetryPolicy(long baseMs, long capMs, double jitter, long avoidWindowMs) {
  public static final RetryPolicy DEFAULT = new RetryPolicy(1_000, 300_000, 0.5, 5_000);

  public RetryPolicy {
    if (baseMs < 0 || capMs < baseMs) {
      throw new IllegalArgumentException("backoff: need 0 <= base_ms <= cap_ms");
    }
    if (jitter < 0 || jitter > 1) {
      throw new IllegalArgumentException("backoff: jitter must be within 0..1");
    }
    if (avoidWindowMs < 0) {
      throw new IllegalArgumentException("backoff: avoid_window_ms must be >= 0");
    }
  }

  public static RetryPolicy from(JsonObject j) {
    return j == null ? DEFAULT : from(ConfigSection.of(j, "queue.store.retry"));
  }

  /** Reads the "retry" section of the store config; absent keys take {@link #DEFAULT}'s values. */
  public static RetryPolicy from(ConfigSection j) {
    return new RetryPolicy(j.getLong("base_ms", DEFAULT.baseMs), j.getLong("cap_ms", DEFAULT.capMs),
        j.getDouble("jitter", DEFAULT.jitter), j.getLong("avoid_window_ms", DEFAULT.avoidWindowMs));
  }
}
