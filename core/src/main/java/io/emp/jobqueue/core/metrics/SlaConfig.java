package io.emp.jobqueue.core.metrics;

import io.emp.jobqueue.core.config.ConfigSection;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Response times promised to customer tiers ("metrics.sla" in the node config). A job's tier is the
 * {@code customer.tier} it carries (baggage: set from the configured customer tiers or by an admin),
 * else {@link #defaultTier}; a tier that is not configured here counts as the default tier, so the
 * {@code tier} label only ever takes configured values.
 *
 * @param tiers tier name -> promise
 */
public record SlaConfig(String defaultTier, Map<String, Tier> tiers) {
  public static final String DEFAULT_TIER = "standard";
  public static final long DEFAULT_VIP_PROMISED_MS = 30_000;
  public static final long DEFAULT_STANDARD_PROMISED_MS = 5 * 60_000;
  public static final double DEFAULT_OBJECTIVE = 0.95;
  public static final double DEFAULT_VIP_OBJECTIVE = 0.99;
  public static final SlaConfig DEFAULTS = new SlaConfig(DEFAULT_TIER, defaultTiers());

  /**
   * @param promisedMs submit -> complete time promised to the tier
   * @param objective the share of the tier's jobs that must meet the promise (the alert threshold)
   */
  public record Tier(long promisedMs, double objective) {
    public Tier {
      if (promisedMs < 1 || objective <= 0 || objective > 1) {
        throw new IllegalArgumentException("metrics.sla: promised_ms >= 1 and objective within (0,1]");
      }
    }
  }

  public SlaConfig {
    tiers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tiers));
    if (defaultTier == null || !tiers.containsKey(defaultTier)) {
      throw new IllegalArgumentException("metrics.sla: default_tier '" + defaultTier + "' must be one of the tiers "
          + tiers.keySet());
    }
  }

  private static Map<String, Tier> defaultTiers() {
    Map<String, Tier> m = new LinkedHashMap<>();
    m.put("vip", new Tier(DEFAULT_VIP_PROMISED_MS, DEFAULT_VIP_OBJECTIVE));
    m.put(DEFAULT_TIER, new Tier(DEFAULT_STANDARD_PROMISED_MS, DEFAULT_OBJECTIVE));
    return m;
  }

  /** The configured tier a job counts under: its own when configured here, else the default. */
  public String tierOf(String jobTier) {
    return jobTier != null && tiers.containsKey(jobTier) ? jobTier : defaultTier;
  }

  public Tier tier(String name) {
    return tiers.get(tierOf(name));
  }

  public static SlaConfig from(JsonObject j) {
    return from(ConfigSection.of(j, "metrics.sla"));
  }

  /** Reads {@code default_tier} and {@code tiers.<name>.{promised_ms, objective}}; no tiers: the defaults. */
  public static SlaConfig from(ConfigSection j) {
    Map<String, Tier> tiers = j.containsKey("tiers") ? new LinkedHashMap<>() : defaultTiers();
    ConfigSection t = j.section("tiers");
    for (String name : new java.util.TreeSet<>(t.fieldNames())) {
      ConfigSection tier = t.section(name);
      tiers.put(name, new Tier(tier.getLong("promised_ms", DEFAULT_STANDARD_PROMISED_MS),
          tier.getDouble("objective", DEFAULT_OBJECTIVE)));
    }
    return new SlaConfig(j.getString("default_tier", DEFAULT_TIER), tiers);
  }
}
