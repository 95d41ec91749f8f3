package io.emp.jobqueue.core.metrics;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;

/**
 * Capacity planning per service from the job-event stream and the queue's backlog.
 *
 * <p>Over the window W: arrival rate {@code λ = submitted / W}, completion rate
 * {@code μ = finished / W}, mean service time {@code S} (claim to finish of the jobs finished in W).
 * Then, for a backlog B:
 * <ul>
 *   <li>time to drain = B / (μ − λ) when the backlog shrinks (μ > λ), else infinite;</li>
 *   <li>slots needed = ⌈λ·S + B·S / T⌉: Little's law says λ·S slots are busy on average just to keep
 *       up with arrivals; B·S/T more slots clear the backlog within the target wait T, so a job that
 *       arrives now waits about T at most; at least one while anything waits or arrives;</li>
 *   <li>slots busy now (estimate) = μ·S, also Little's law.</li>
 * </ul>
 * Not thread-safe: one owner feeds and reads it.
 */
public final class CapacityModel {
  private static final int BUCKETS = 30;
  private static final int ARRIVALS = 0;
  private static final int FINISHED = 1;
  private static final int SERVICE_MS = 2;
  private static final int SERVICE_N = 3;

  private final MetricsConfig.Capacity cfg;
  private final Map<String, SlidingSums> sums = new TreeMap<>();

  /** One service's estimate; NaN where there is not enough data (no job finished in the window). */
  public record Estimate(String service, double arrivalsPerSecond, double completionsPerSecond,
                         double meanServiceSeconds, long backlog, double timeToDrainSeconds, double slotsNeeded,
                         double slotsBusy) {
    public JsonObject toJson(MetricsConfig.Capacity cfg) {
      return new JsonObject().put("service", service)
          .put("arrival_rate_per_s", round(arrivalsPerSecond)).put("completion_rate_per_s", round(completionsPerSecond))
          .put("mean_service_time_s", finite(meanServiceSeconds)).put("backlog", backlog)
          .put("time_to_drain_s", finite(timeToDrainSeconds))
          .put("draining", backlog == 0 || Double.isFinite(timeToDrainSeconds))
          .put("slots_needed", finite(slotsNeeded)).put("slots_busy_estimate", finite(slotsBusy))
          .put("window_s", cfg.windowMs() / 1000.0).put("target_wait_s", cfg.targetWaitMs() / 1000.0);
    }

    private static Double finite(double v) {
      return Double.isFinite(v) ? round(v) : null;
    }

    private static double round(double v) {
      return Math.round(v * 1000) / 1000.0;
    }
  }

  public CapacityModel(MetricsConfig.Capacity cfg) {
    this.cfg = cfg;
  }

  private SlidingSums of(String service) {
    return sums.computeIfAbsent(service, s -> new SlidingSums(Math.max(1, cfg.windowMs() / BUCKETS), BUCKETS, 4));
  }

  public void arrived(String service, long atMs) {
    of(service).add(atMs, ARRIVALS, 1);
  }

  /** A job finished (completed or failed for good); {@code serviceMs} < 0 when unknown. */
  public void finished(String service, long atMs, long serviceMs) {
    SlidingSums s = of(service);
    s.add(atMs, FINISHED, 1);
    if (serviceMs >= 0) {
      s.add(atMs, SERVICE_MS, serviceMs);
      s.add(atMs, SERVICE_N, 1);
    }
  }

  public java.util.Set<String> services() {
    return sums.keySet();
  }

  public Estimate estimate(String service, long backlog, long nowMs) {
    SlidingSums s = of(service);
    double w = cfg.windowMs() / 1000.0;
    double lambda = s.sum(nowMs, cfg.windowMs(), ARRIVALS) / w;
    double mu = s.sum(nowMs, cfg.windowMs(), FINISHED) / w;
    double n = s.sum(nowMs, cfg.windowMs(), SERVICE_N);
    double meanS = n == 0 ? Double.NaN : s.sum(nowMs, cfg.windowMs(), SERVICE_MS) / n / 1000.0;
    double drain = backlog == 0 ? 0 : mu > lambda ? backlog / (mu - lambda) : Double.POSITIVE_INFINITY;
    double target = cfg.targetWaitMs() / 1000.0;
    double needed = Double.isNaN(meanS) ? Double.NaN : Math.ceil(lambda * meanS + backlog * meanS / target);
    if (needed == 0 && (backlog > 0 || lambda > 0)) {
      // jobs that finish within the clock's millisecond give S = 0, yet work that waits or arrives needs a slot
      needed = 1;
    }
    double busy = Double.isNaN(meanS) ? Double.NaN : mu * meanS;
    return new Estimate(service, lambda, mu, meanS, backlog, drain, needed, busy);
  }
}
