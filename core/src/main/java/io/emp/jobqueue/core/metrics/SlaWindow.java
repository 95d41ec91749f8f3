package io.emp.jobqueue.core.metrics;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;

/**
 * Promised vs actual response times of finished jobs over the last hour and day, per tier and
 * service, in one-minute buckets. Fed with every job's final outcome (from the job-event stream, so
 * every API node holds the same cluster-wide view); answers GET /api/sla and the compliance gauges.
 * Not thread-safe: one owner feeds and reads it.
 */
public final class SlaWindow {
  public static final long HOUR_MS = 3_600_000;
  public static final long DAY_MS = 24 * HOUR_MS;
  private static final long BUCKET_MS = 60_000;
  private static final int JOBS = 0;
  private static final int MET = 1;
  private static final int ACTUAL_SUM = 2;
  private static final int ACTUAL_MAX = 3;

  private final SlaConfig sla;
  /** tier -> service -> sums. */
  private final Map<String, Map<String, SlidingSums>> sums = new TreeMap<>();

  public SlaWindow(SlaConfig sla) {
    this.sla = sla;
  }

  public SlaConfig config() {
    return sla;
  }

  /**
   * One job's final outcome.
   *
   * @param jobTier the job's own tier (null: the default tier)
   * @param actualMs submit -> final outcome
   * @param succeeded false for a failed job: it never meets the promise
   * @return whether the promise was met
   */
  public boolean record(String jobTier, String service, long atMs, long actualMs, boolean succeeded) {
    String tier = sla.tierOf(jobTier);
    boolean met = succeeded && actualMs <= sla.tier(tier).promisedMs();
    SlidingSums s = sums.computeIfAbsent(tier, t -> new TreeMap<>())
        .computeIfAbsent(service, k -> new SlidingSums(BUCKET_MS, (int) (DAY_MS / BUCKET_MS), 4));
    s.add(atMs, JOBS, 1);
    s.add(atMs, MET, met ? 1 : 0);
    s.add(atMs, ACTUAL_SUM, Math.max(0, actualMs));
    s.max(atMs, ACTUAL_MAX, Math.max(0, actualMs));
    return met;
  }

  /** Compliance of one tier and service over the window, or NaN when no job finished in it. */
  public double compliance(String tier, String service, long nowMs, long windowMs) {
    SlidingSums s = sums.getOrDefault(tier, Map.of()).get(service);
    if (s == null) {
      return Double.NaN;
    }
    double jobs = s.sum(nowMs, windowMs, JOBS);
    return jobs == 0 ? Double.NaN : s.sum(nowMs, windowMs, MET) / jobs;
  }

  /** tier -> services seen. */
  public Map<String, Map<String, SlidingSums>> series() {
    return sums;
  }

  /** The GET /api/sla document: per configured tier, the last hour and day, overall and per service. */
  public JsonObject summary(long nowMs) {
    JsonArray tiers = new JsonArray();
    sla.tiers().forEach((name, t) -> {
      Map<String, SlidingSums> byService = sums.getOrDefault(name, Map.of());
      JsonArray services = new JsonArray();
      byService.forEach((svc, s) -> services.add(new JsonObject().put("service", svc)
          .put("last_hour", window(java.util.List.of(s), nowMs, HOUR_MS, t))
          .put("last_day", window(java.util.List.of(s), nowMs, DAY_MS, t))));
      tiers.add(new JsonObject().put("tier", name).put("promised_ms", t.promisedMs()).put("objective", t.objective())
          .put("last_hour", window(byService.values(), nowMs, HOUR_MS, t))
          .put("last_day", window(byService.values(), nowMs, DAY_MS, t))
          .put("services", services));
    });
    return new JsonObject().put("generated_at", nowMs).put("default_tier", sla.defaultTier()).put("tiers", tiers);
  }

  private static JsonObject window(java.util.Collection<SlidingSums> all, long now, long windowMs, SlaConfig.Tier t) {
    double jobs = 0;
    double met = 0;
    double actual = 0;
    double max = 0;
    for (SlidingSums s : all) {
      jobs += s.sum(now, windowMs, JOBS);
      met += s.sum(now, windowMs, MET);
      actual += s.sum(now, windowMs, ACTUAL_SUM);
      max = Math.max(max, s.maxOver(now, windowMs, ACTUAL_MAX));
    }
    Double compliance = jobs == 0 ? null : met / jobs;
    return new JsonObject().put("jobs", (long) jobs).put("met", (long) met).put("missed", (long) (jobs - met))
        .put("compliance", compliance)
        .put("objective_met", compliance == null ? null : compliance >= t.objective())
        .put("avg_actual_ms", jobs == 0 ? null : Math.round(actual / jobs))
        .put("max_actual_ms", jobs == 0 ? null : (long) max);
  }
}
