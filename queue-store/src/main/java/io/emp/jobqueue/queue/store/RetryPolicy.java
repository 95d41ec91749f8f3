package io.emp.jobqueue.queue.store;

import io.emp.jobqueue.core.config.ConfigSection;
import io.vertx.core.json.JsonObject;

/**
 * Exponential backoff with jitter for retryable failures and expired leases:
 * {@code delay = min(cap, base * 2^(n-1)) * (1 - jitter * U[0,1))}, where n counts the failures of
 * that kind so far. The formula runs inside the Redis scripts (lib.lua), fed these numbers; this
 * record only validates and carries them.
 *
 * @param avoidWindowMs after a retry becomes due, the worker that failed it may not re-claim it for
 *                      this long, so another worker gets the first chance when one exists
 * @param maxLostLeases how many attempts a job may lose to an expired lease (its worker or machine
 *                      died) before it fails; a budget of its own, separate from the job's
 *                      {@code max_retries}, which counts only failures a connector reported
 */
public record RetryPolicy(long baseMs, long capMs, double jitter, long avoidWindowMs, int maxLostLeases) {
  public static final int DEFAULT_MAX_LOST_LEASES = 10;
  public static final RetryPolicy DEFAULT = new RetryPolicy(1_000, 300_000, 0.5, 5_000, DEFAULT_MAX_LOST_LEASES);

  public RetryPolicy(long baseMs, long capMs, double jitter, long avoidWindowMs) {
    this(baseMs, capMs, jitter, avoidWindowMs, DEFAULT_MAX_LOST_LEASES);
  }

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
    if (maxLostLeases < 0) {
      throw new IllegalArgumentException("retry: max_lost_leases must be >= 0");
    }
  }

  public RetryPolicy withMaxLostLeases(int max) {
    return new RetryPolicy(baseMs, capMs, jitter, avoidWindowMs, max);
  }

  public static RetryPolicy from(JsonObject j) {
    return j == null ? DEFAULT : from(ConfigSection.of(j, "queue.store.retry"));
  }

  /** Reads the "retry" section of the store config; absent keys take {@link #DEFAULT}'s values. */
  public static RetryPolicy from(ConfigSection j) {
    return new RetryPolicy(j.getLong("base_ms", DEFAULT.baseMs), j.getLong("cap_ms", DEFAULT.capMs),
        j.getDouble("jitter", DEFAULT.jitter), j.getLong("avoid_window_ms", DEFAULT.avoidWindowMs),
        j.getInteger("max_lost_leases", DEFAULT.maxLostLeases));
  }
}
