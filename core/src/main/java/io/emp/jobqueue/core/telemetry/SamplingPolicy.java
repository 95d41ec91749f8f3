package io.emp.jobqueue.core.telemetry;

import io.emp.jobqueue.core.config.ConfigSection;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * The seed's sampling strategy as numbers, and the ONE pure decision function every node uses:
 * errors 100%, slower than 5 s 100%, 1–5 s 50%, under 1 s 10%, VIP customers 100%. The random
 * part is derived from the trace id, so every JVM holding part of a trace decides the same.
 *
 * @param customerTiers customer id -> tier; tiers listed in {@code alwaysKeepTiers} are kept at 100%
 */
public record SamplingPolicy(boolean enabled, long slowMs, long mediumMs, double mediumRatio, double fastRatio,
                             Map<String, String> customerTiers, java.util.Set<String> alwaysKeepTiers,
                             int maxBufferedSpans, long decisionTimeoutMs, int decisionCacheSize) {
  public static final long DEFAULT_SLOW_MS = 5_000;
  public static final long DEFAULT_MEDIUM_MS = 1_000;
  public static final double DEFAULT_MEDIUM_RATIO = 0.5;
  public static final double DEFAULT_FAST_RATIO = 0.1;
  public static final int DEFAULT_MAX_BUFFERED_SPANS = 10_000;
  public static final long DEFAULT_DECISION_TIMEOUT_MS = 15 * 60_000;
  public static final int DEFAULT_DECISION_CACHE_SIZE = 100_000;
  public static final SamplingPolicy DEFAULTS = new SamplingPolicy(true, DEFAULT_SLOW_MS, DEFAULT_MEDIUM_MS,
      DEFAULT_MEDIUM_RATIO, DEFAULT_FAST_RATIO, Map.of(), java.util.Set.of("vip"), DEFAULT_MAX_BUFFERED_SPANS,
      DEFAULT_DECISION_TIMEOUT_MS, DEFAULT_DECISION_CACHE_SIZE);
  /** Keeps everything (tests, or users who sample in a collector instead). */
  public static final SamplingPolicy KEEP_ALL = new SamplingPolicy(false, DEFAULT_SLOW_MS, DEFAULT_MEDIUM_MS, 1, 1,
      Map.of(), java.util.Set.of("vip"), DEFAULT_MAX_BUFFERED_SPANS, DEFAULT_DECISION_TIMEOUT_MS,
      DEFAULT_DECISION_CACHE_SIZE);

  public SamplingPolicy {
    if (slowMs < mediumMs || mediumMs < 0) {
      throw new IllegalArgumentException("sampling: need 0 <= medium_ms <= slow_ms");
    }
    if (mediumRatio < 0 || mediumRatio > 1 || fastRatio < 0 || fastRatio > 1) {
      throw new IllegalArgumentException("sampling: ratios must be within 0..1");
    }
    if (maxBufferedSpans < 1 || decisionTimeoutMs < 1 || decisionCacheSize < 1) {
      throw new IllegalArgumentException("sampling: buffer, timeout and cache sizes must be positive");
    }
    customerTiers = Map.copyOf(customerTiers);
    alwaysKeepTiers = java.util.Set.copyOf(alwaysKeepTiers);
  }

  /** What a node knows about a finished trace when it decides. */
  public record Outcome(boolean error, long durationMs, String customerId, String tier) {
    public static Outcome of(boolean error, long durationMs) {
      return new Outcome(error, durationMs, null, null);
    }
  }

  /** The baggage entry that carries a customer's tier across every hop of a job. */
  public static final String TIER_BAGGAGE_KEY = "customer.tier";

  /**
   * A job's outcome as every node computes it, from facts they all see alike (the job's Redis-clock
   * creation and finish times, its attempt number, its customer and baggage): a failed, cancelled or
   * retried job counts as an error, so the worker of a failed attempt and the gateway that relays the
   * final success both keep the trace.
   */
  public static Outcome jobOutcome(boolean failedOrCancelled, int attempt, long createdAtMs, long finishedAtMs,
                                   String customerId, String baggage) {
    return new Outcome(failedOrCancelled || attempt > 1, Math.max(0, finishedAtMs - createdAtMs), customerId,
        tierFromBaggage(baggage));
  }

  /** The {@code customer.tier} entry of a W3C baggage header value, or null. */
  public static String tierFromBaggage(String baggage) {
    if (baggage == null) {
      return null;
    }
    for (String entry : baggage.split(",")) {
      int eq = entry.indexOf('=');
      if (eq > 0 && entry.substring(0, eq).trim().equals(TIER_BAGGAGE_KEY)) {
        String v = entry.substring(eq + 1);
        int semi = v.indexOf(';');
        return java.net.URLDecoder.decode((semi >= 0 ? v.substring(0, semi) : v).trim(),
            java.nio.charset.StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  /** The configured tier of a customer, or null. */
  public String tierOf(String customerId) {
    return customerId == null ? null : customerTiers.get(customerId);
  }

  public boolean isVip(Outcome o) {
    String tier = o.tier() != null ? o.tier() : o.customerId() == null ? null : customerTiers.get(o.customerId());
    return tier != null && alwaysKeepTiers.contains(tier);
  }

  /** The decision. Pure: same trace id and outcome give the same answer on every node. */
  public boolean keep(String traceId, Outcome o) {
    if (!enabled || o.error() || isVip(o) || o.durationMs() > slowMs) {
      return true;
    }
    double r = ratio(traceId);
    return o.durationMs() >= mediumMs ? r < mediumRatio : r < fastRatio;
  }

  /** Uniform in [0,1) from the trace id's last 56 bits (random in W3C ids, level 2 flag or not). */
  public static double ratio(String traceId) {
    if (traceId == null || traceId.length() < 14) {
      return 0;
    }
    long bits = Long.parseUnsignedLong(traceId.substring(traceId.length() - 14), 16);
    return bits / (double) (1L << 56);
  }

  public static SamplingPolicy from(JsonObject j) {
    return j == null ? DEFAULTS : from(ConfigSection.of(j, "telemetry.sampling"));
  }

  /** Reads the "telemetry.sampling" section; {@code enabled} defaults to true (the seed policy). */
  public static SamplingPolicy from(ConfigSection j) {
    Map<String, String> tiers = new java.util.HashMap<>();
    j.getJsonObject("customer_tiers", new JsonObject()).forEach(e -> tiers.put(e.getKey(), String.valueOf(e.getValue())));
    java.util.Set<String> keep = new java.util.HashSet<>();
    j.getJsonArray("always_keep_tiers", new io.vertx.core.json.JsonArray().add("vip")).forEach(t -> keep.add(t.toString()));
    return new SamplingPolicy(j.getBoolean("enabled", true), j.getLong("slow_ms", DEFAULT_SLOW_MS),
        j.getLong("medium_ms", DEFAULT_MEDIUM_MS), j.getDouble("medium_ratio", DEFAULT_MEDIUM_RATIO),
        j.getDouble("fast_ratio", DEFAULT_FAST_RATIO), tiers, keep,
        j.getInteger("max_buffered_spans", DEFAULT_MAX_BUFFERED_SPANS),
        j.getLong("decision_timeout_ms", DEFAULT_DECISION_TIMEOUT_MS),
        j.getInteger("decision_cache_size", DEFAULT_DECISION_CACHE_SIZE));
  }
}
