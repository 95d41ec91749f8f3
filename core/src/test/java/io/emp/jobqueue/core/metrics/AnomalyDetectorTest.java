package io.emp.jobqueue.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AnomalyDetectorTest {
  static final MetricsConfig.Anomaly SETTINGS = MetricsConfig.Anomaly.DEFAULTS;

  /** Latency-like values around {@code mean} with ±{@code noise} relative uniform noise, seeded. */
  static double[] steady(int n, double mean, double noise, long seed) {
    Random r = new Random(seed);
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = mean * (1 + noise * (2 * r.nextDouble() - 1));
    }
    return v;
  }

  static List<AnomalyDetector.Score> feed(AnomalyDetector d, String key, double[] values) {
    List<AnomalyDetector.Score> out = new ArrayList<>();
    for (double v : values) {
      out.add(d.observe(key, v));
    }
    return out;
  }

  @Test
  void steadyNoisyInputRaisesNoAlarm() {
    for (long seed = 1; seed <= 20; seed++) {
      AnomalyDetector d = new AnomalyDetector(SETTINGS);
      List<AnomalyDetector.Score> scores = feed(d, "svc/latency", steady(2_000, 2.0, 0.2, seed));
      assertThat(scores).as("seed " + seed).noneMatch(AnomalyDetector.Score::anomalous);
    }
  }

  @Test
  void perfectlyFlatInputRaisesNoAlarmOnATinyWobble() {
    AnomalyDetector d = new AnomalyDetector(SETTINGS);
    double[] flat = new double[100];
    java.util.Arrays.fill(flat, 1.0);
    feed(d, "k", flat);
    // 1% off a flat baseline is within the spread floor (5% of the mean)
    assertThat(d.observe("k", 1.01).anomalous()).isFalse();
  }

  @Test
  void aSpikeIsFlaggedOnceAndTheSignalSettlesAfterIt() {
    AnomalyDetector d = new AnomalyDetector(SETTINGS);
    feed(d, "svc/latency", steady(200, 2.0, 0.1, 7));
    AnomalyDetector.Score spike = d.observe("svc/latency", 20.0);
    assertThat(spike.anomalous()).isTrue();
    assertThat(spike.crossed()).isTrue();
    assertThat(spike.score()).isGreaterThan(SETTINGS.threshold());
    List<AnomalyDetector.Score> after = feed(d, "svc/latency", steady(200, 2.0, 0.1, 8));
    assertThat(after).as("back to normal: no alarm after the spike").noneMatch(AnomalyDetector.Score::anomalous);
  }

  @Test
  void aStepChangeIsFlaggedAndThenBecomesTheNewNormal() {
    AnomalyDetector d = new AnomalyDetector(SETTINGS);
    feed(d, "svc/queue_wait", steady(200, 1.0, 0.1, 3));
    List<AnomalyDetector.Score> step = feed(d, "svc/queue_wait", steady(300, 3.0, 0.1, 4));
    assertThat(step.get(0).anomalous()).as("the first value after the step").isTrue();
    assertThat(step.get(0).crossed()).isTrue();
    assertThat(step.stream().filter(AnomalyDetector.Score::crossed).count()).as("one alarm for one step")
        .isEqualTo(1);
    assertThat(step.subList(100, 300)).as("adapted").noneMatch(AnomalyDetector.Score::anomalous);
    assertThat(step.get(299).mean()).isBetween(2.7, 3.3);
  }

  @Test
  void aStepDownIsFlaggedWithANegativeScore() {
    AnomalyDetector d = new AnomalyDetector(SETTINGS);
    feed(d, "k", steady(200, 10.0, 0.05, 5));
    AnomalyDetector.Score s = d.observe("k", 2.0);
    assertThat(s.anomalous()).isTrue();
    assertThat(s.score()).isNegative();
  }

  @Test
  void nothingIsFlaggedDuringTheWarmUp() {
    AnomalyDetector d = new AnomalyDetector(SETTINGS);
    d.observe("k", 1.0);
    for (int i = 1; i < SETTINGS.warmupSamples(); i++) {
      assertThat(d.observe("k", i % 2 == 0 ? 1.0 : 50.0).anomalous()).isFalse();
    }
  }

  @Test
  void anErrorRateJumpFromZeroIsFlagged() {
    AnomalyDetector d = new AnomalyDetector(SETTINGS);
    double[] zeros = new double[50];
    feed(d, "svc/error_rate", zeros);
    assertThat(d.observe("svc/error_rate", 0.3).anomalous()).isTrue();
  }

  @Test
  void keysHaveTheirOwnBaselines() {
    AnomalyDetector d = new AnomalyDetector(SETTINGS);
    feed(d, "a", steady(100, 1.0, 0.1, 1));
    feed(d, "b", steady(100, 100.0, 0.1, 2));
    assertThat(d.observe("a", 1.05).anomalous()).isFalse();
    assertThat(d.observe("b", 100.0).anomalous()).isFalse();
    assertThat(d.observe("a", 100.0).anomalous()).isTrue();
  }
}
