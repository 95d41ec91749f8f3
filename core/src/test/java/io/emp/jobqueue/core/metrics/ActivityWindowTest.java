package io.emp.jobqueue.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class ActivityWindowTest {
  static final long MIN = 60_000;
  static final long T0 = 1_732_000_000_000L / MIN * MIN;

  @Test
  void countsAndPercentilesLandInTheirMinuteAndTheWindowIsFifteenMinutesOldestFirst() {
    ActivityWindow w = new ActivityWindow();
    w.submitted(T0 + 1_000);
    w.submitted(T0 + 2_000);
    for (int ms = 1; ms <= 100; ms++) {
      w.completed(T0 + MIN + ms, ms * 10L); // 10..1000 ms
    }
    w.failed(T0 + MIN + 5);
    w.completed(T0 + MIN + 6, -1); // latency unknown: counted, not sampled

    JsonObject json = w.toJson(T0 + 2 * MIN + 30_000);
    assertThat(json.getLong("bucket_ms")).isEqualTo(MIN);
    JsonArray b = json.getJsonArray("buckets");
    assertThat(b).hasSize(15);
    assertThat(b.getJsonObject(14).getLong("t")).isEqualTo(T0 + 2 * MIN);
    assertThat(b.getJsonObject(0).getLong("t")).isEqualTo(T0 - 12 * MIN);
    JsonObject first = b.getJsonObject(12);
    assertThat(first.getLong("t")).isEqualTo(T0);
    assertThat(first.getLong("submitted")).isEqualTo(2);
    assertThat(first.getLong("completed")).isZero();
    assertThat(first.getValue("p50_ms")).isNull();
    JsonObject second = b.getJsonObject(13);
    assertThat(second.getLong("completed")).isEqualTo(101);
    assertThat(second.getLong("failed")).isEqualTo(1);
    assertThat(second.getLong("p50_ms")).isEqualTo(500);
    assertThat(second.getLong("p95_ms")).isEqualTo(950);
    assertThat(b.getJsonObject(14).getLong("completed")).isZero();
  }

  @Test
  void oldMinutesLeaveTheWindowAndTheirSlotsAreReused() {
    ActivityWindow w = new ActivityWindow(MIN, 3);
    w.submitted(T0);
    w.submitted(T0 + 3 * MIN); // same slot, three minutes later: the old count is gone
    w.submitted(T0); // older than what the slot holds now: dropped
    JsonArray b = w.toJson(T0 + 3 * MIN).getJsonArray("buckets");
    assertThat(b).hasSize(3);
    assertThat(b.getJsonObject(2).getLong("submitted")).isEqualTo(1);
    assertThat(b.stream().mapToLong(o -> ((JsonObject) o).getLong("submitted")).sum()).isEqualTo(1);
    // nothing newer arrived: the window moves on and shows zeros
    assertThat(w.toJson(T0 + 10 * MIN).getJsonArray("buckets").stream()
        .mapToLong(o -> ((JsonObject) o).getLong("submitted")).sum()).isZero();
  }

  @Test
  void theLatencySampleStaysBoundedAndStillReflectsTheDistribution() {
    ActivityWindow w = new ActivityWindow();
    int n = ActivityWindow.SAMPLES_PER_BUCKET * 10;
    for (int i = 0; i < n; i++) {
      w.completed(T0 + 1, i % 1000); // uniform 0..999
    }
    JsonObject bucket = w.toJson(T0).getJsonArray("buckets").getJsonObject(14);
    assertThat(bucket.getLong("completed")).isEqualTo(n);
    assertThat(bucket.getLong("p50_ms")).isBetween(450L, 550L);
    assertThat(bucket.getLong("p95_ms")).isBetween(920L, 980L);
  }

  @Test
  void nearestRankPercentile() {
    assertThat(ActivityWindow.percentile(new long[] {}, 0.5)).isNull();
    assertThat(ActivityWindow.percentile(new long[] {7}, 0.95)).isEqualTo(7);
    assertThat(ActivityWindow.percentile(new long[] {1, 2, 3, 4}, 0.5)).isEqualTo(2);
    assertThat(ActivityWindow.percentile(new long[] {1, 2, 3, 4}, 0.95)).isEqualTo(4);
  }
}
