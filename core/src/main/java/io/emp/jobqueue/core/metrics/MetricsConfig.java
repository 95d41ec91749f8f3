package io.emp.jobqueue.core.metrics;

import io.emp.jobqueue.core.config.ConfigSection;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The node's "metrics" configuration section, validated once; every default is a named constant.
 *
 * <pre>
 * "metrics": {
 *   "enabled": true,                      // false: no Micrometer registry, /metrics answers 404
 *   "analytics_interval_ms": 10000,       // queue stats poll, anomaly and capacity tick (API nodes)
 *   "sla": {"default_tier": "standard",
 *           "tiers": {"vip": {"promised_ms": 30000, "objective": 0.99},
 *                     "standard": {"promised_ms": 300000, "objective": 0.95}}},
 *   "anomaly": {"alpha": 0.1, "threshold": 4.0, "warmup_samples": 12, "min_stddev_ratio": 0.05},
 *   "capacity": {"window_ms": 300000, "target_wait_ms": 120000}
 * }
 * </pre>
 */
public record MetricsConfig(boolean enabled, long analyticsIntervalMs, SlaConfig sla, Anomaly anomaly,
                            Capacity capacity, Set<String> vertxCategories) {
  public static final boolean DEFAULT_ENABLED = true;
  public static final long DEFAULT_ANALYTICS_INTERVAL_MS = 10_000;
  /** Vert.x metric categories every Vert.x domain can be: http.server, http.client, eventbus, pool, net.server, ... */
  public static final Set<String> VERTX_CATEGORIES = Set.of("net.server", "net.client", "http.server", "http.client",
      "datagram", "eventbus", "pool", "verticle");
  /**
   * Vert.x meters collected by default: HTTP server and client. The event-bus, pool and raw TCP meters
   * cost tens of microseconds per job (several meter updates per message, command and socket read;
   * docs/benchmarks.md) and no dashboard or alert reads them: list them to turn them on.
   */
  public static final Set<String> DEFAULT_VERTX_CATEGORIES = Set.of("http.server", "http.client");
  public static final MetricsConfig DEFAULTS = new MetricsConfig(DEFAULT_ENABLED, DEFAULT_ANALYTICS_INTERVAL_MS,
      SlaConfig.DEFAULTS, Anomaly.DEFAULTS, Capacity.DEFAULTS, DEFAULT_VERTX_CATEGORIES);

  public MetricsConfig {
    if (analyticsIntervalMs < 10) {
      throw new IllegalArgumentException("metrics: analytics_interval_ms must be >= 10");
    }
    sla = sla == null ? SlaConfig.DEFAULTS : sla;
    anomaly = anomaly == null ? Anomaly.DEFAULTS : anomaly;
    capacity = capacity == null ? Capacity.DEFAULTS : capacity;
    vertxCategories = vertxCategories == null ? DEFAULT_VERTX_CATEGORIES : Set.copyOf(vertxCategories);
    for (String c : vertxCategories) {
      if (!VERTX_CATEGORIES.contains(c)) {
        throw new IllegalArgumentException("metrics.vertx_categories: '" + c + "' is not one of " + VERTX_CATEGORIES);
      }
    }
  }

  public MetricsConfig(boolean enabled, long analyticsIntervalMs, SlaConfig sla, Anomaly anomaly, Capacity capacity) {
    this(enabled, analyticsIntervalMs, sla, anomaly, capacity, DEFAULT_VERTX_CATEGORIES);
  }

  /**
   * EWMA anomaly detection settings.
   *
   * @param alpha weight of the newest interval in the baseline (0..1]; 0.1 remembers about 10 intervals
   * @param threshold |z| at or above which an interval is anomalous
   * @param warmupSamples intervals a baseline needs before it may flag anything
   * @param minStddevRatio the baseline's spread is never taken below this share of its mean, so a
   *     perfectly steady signal does not turn the smallest wobble into an anomaly
   */
  public record Anomaly(double alpha, double threshold, int warmupSamples, double minStddevRatio) {
    public static final double DEFAULT_ALPHA = 0.1;
    public static final double DEFAULT_THRESHOLD = 4.0;
    public static final int DEFAULT_WARMUP_SAMPLES = 12;
    public static final double DEFAULT_MIN_STDDEV_RATIO = 0.05;
    public static final Anomaly DEFAULTS = new Anomaly(DEFAULT_ALPHA, DEFAULT_THRESHOLD, DEFAULT_WARMUP_SAMPLES,
        DEFAULT_MIN_STDDEV_RATIO);

    public Anomaly {
      if (!(alpha > 0 && alpha <= 1) || !(threshold > 0) || warmupSamples < 1 || minStddevRatio < 0) {
        throw new IllegalArgumentException("metrics.anomaly: alpha within (0,1], threshold > 0, "
            + "warmup_samples >= 1, min_stddev_ratio >= 0");
      }
    }

    static Anomaly from(ConfigSection j) {
      return new Anomaly(j.getDouble("alpha", DEFAULT_ALPHA), j.getDouble("threshold", DEFAULT_THRESHOLD),
          j.getInteger("warmup_samples", DEFAULT_WARMUP_SAMPLES),
          j.getDouble("min_stddev_ratio", DEFAULT_MIN_STDDEV_RATIO));
    }
  }

  /**
   * Capacity planning settings.
   *
   * @param windowMs arrival and completion rates and the mean service time are taken over this window
   * @param targetWaitMs the queue wait the slot estimate aims for (the high-priority wait alert is 2 min)
   */
  public record Capacity(long windowMs, long targetWaitMs) {
    public static final long DEFAULT_WINDOW_MS = 5 * 60_000;
    public static final long DEFAULT_TARGET_WAIT_MS = 2 * 60_000;
    public static final Capacity DEFAULTS = new Capacity(DEFAULT_WINDOW_MS, DEFAULT_TARGET_WAIT_MS);

    public Capacity {
      if (windowMs < 1_000 || targetWaitMs < 1) {
        throw new IllegalArgumentException("metrics.capacity: window_ms >= 1000, target_wait_ms >= 1");
      }
    }

    static Capacity from(ConfigSection j) {
      return new Capacity(j.getLong("window_ms", DEFAULT_WINDOW_MS), j.getLong("target_wait_ms", DEFAULT_TARGET_WAIT_MS));
    }
  }

  public static MetricsConfig from(JsonObject j) {
    return j == null ? DEFAULTS : from(ConfigSection.of(j, "metrics"));
  }

  /** Reads the "metrics" section through the launcher's checked config reader. */
  public static MetricsConfig from(ConfigSection j) {
    JsonArray categories = j.getJsonArray("vertx_categories");
    return new MetricsConfig(bool(j.getValue("enabled"), DEFAULT_ENABLED),
        j.getLong("analytics_interval_ms", DEFAULT_ANALYTICS_INTERVAL_MS),
        SlaConfig.from(j.section("sla")), Anomaly.from(j.section("anomaly")), Capacity.from(j.section("capacity")),
        categories == null ? DEFAULT_VERTX_CATEGORIES
            : categories.stream().map(String::valueOf).collect(Collectors.toSet()));
  }

  /** Environment values arrive as strings ("false"); the config file has booleans. */
  private static boolean bool(Object v, boolean dflt) {
    if (v == null) {
      return dflt;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    String s = v.toString().trim().toLowerCase(java.util.Locale.ROOT);
    return switch (s) {
      case "true", "1", "on", "yes" -> true;
      case "false", "0", "off", "no" -> false;
      default -> throw new IllegalArgumentException("metrics.enabled must be true or false (got '" + v + "')");
    };
  }

  public MetricsConfig withEnabled(boolean on) {
    return new MetricsConfig(on, analyticsIntervalMs, sla, anomaly, capacity, vertxCategories);
  }
}
