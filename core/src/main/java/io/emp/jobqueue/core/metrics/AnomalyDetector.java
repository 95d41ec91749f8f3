package io.emp.jobqueue.core.metrics;

import java.util.HashMap;
import java.util.Map;

/**
 * Online baselines and z-scores, one per key (service + signal). Each baseline is an exponentially
 * weighted moving mean and variance (EWMA, weight {@code alpha} on the newest value): O(1) memory,
 * no window to keep, and it follows slow drifts while a sudden change stands out. A value's score is
 * {@code (value - mean) / spread}; it is anomalous when |score| reaches the threshold after the
 * warm-up. The spread is never taken below {@code minStddevRatio * |mean|}, so a perfectly steady
 * signal (variance 0) does not flag the first tiny wobble.
 *
 * <p>The value is scored against the baseline BEFORE it joins it; then it joins, so a lasting step
 * change raises an alarm and then becomes the new normal (within about 1/alpha values), while a
 * one-off spike only widens the spread for a while. Not thread-safe: one owner feeds it.
 */
public final class AnomalyDetector {
  /** Below this the spread floor of a zero-mean signal (error rate 0) stays meaningful. */
  public static final double ABSOLUTE_MIN_STDDEV = 1e-3;

  private final MetricsConfig.Anomaly settings;
  private final Map<String, Baseline> baselines = new HashMap<>();

  /**
   * The outcome of scoring one value against the baseline as it was before the value ({@code mean},
   * {@code stddev}: the spread used). {@code crossed}: anomalous now, not at the key's previous value.
   */
  public record Score(double value, double score, double mean, double stddev, boolean anomalous, boolean crossed,
                      long samples) {
  }

  private static final class Baseline {
    double mean;
    double var;
    long n;
    boolean anomalous;
  }

  public AnomalyDetector(MetricsConfig.Anomaly settings) {
    this.settings = settings;
  }

  /** Scores {@code value} against the key's baseline, then updates the baseline with it. */
  public Score observe(String key, double value) {
    Baseline b = baselines.computeIfAbsent(key, k -> new Baseline());
    double score = 0;
    double sd = 0;
    double baseline = b.n == 0 ? value : b.mean;
    boolean anomalous = false;
    if (b.n == 0) {
      b.mean = value;
      b.var = 0;
    } else {
      sd = Math.max(Math.sqrt(b.var), Math.max(settings.minStddevRatio() * Math.abs(b.mean), ABSOLUTE_MIN_STDDEV));
      score = (value - b.mean) / sd;
      anomalous = b.n >= settings.warmupSamples() && Math.abs(score) >= settings.threshold();
      double a = settings.alpha();
      double diff = value - b.mean;
      b.mean += a * diff;
      b.var = (1 - a) * (b.var + a * diff * diff);
    }
    b.n++;
    boolean crossed = anomalous && !b.anomalous;
    b.anomalous = anomalous;
    return new Score(value, score, baseline, sd, anomalous, crossed, b.n);
  }
}
