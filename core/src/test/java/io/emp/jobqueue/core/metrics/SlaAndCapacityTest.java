package io.emp.jobqueue.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SlaAndCapacityTest {
  static final long NOW = 1_800_000_000_000L;

  @Test
  void slaComplianceIsTheShareOfJobsWithinTheirTiersPromise() {
    SlaWindow w = new SlaWindow(SlaConfig.DEFAULTS);
    // vip promise 30 s: two met, one too slow, one failed
    assertThat(w.record("vip", "comfyui", NOW - 1_000, 10_000, true)).isTrue();
    assertThat(w.record("vip", "comfyui", NOW - 2_000, 29_000, true)).isTrue();
    assertThat(w.record("vip", "comfyui", NOW - 3_000, 31_000, true)).isFalse();
    assertThat(w.record("vip", "comfyui", NOW - 4_000, 1_000, false)).as("a failed job never meets it").isFalse();
    // an unknown tier counts as the default (standard, 5 min)
    assertThat(w.record("gold", "comfyui", NOW - 5_000, 200_000, true)).isTrue();
    // two hours ago: in the day, not in the hour
    w.record("vip", "comfyui", NOW - 2 * SlaWindow.HOUR_MS, 1_000, true);

    assertThat(w.compliance("vip", "comfyui", NOW, SlaWindow.HOUR_MS)).isEqualTo(0.5);
    assertThat(w.compliance("vip", "comfyui", NOW, SlaWindow.DAY_MS)).isEqualTo(0.6);
    assertThat(w.compliance("standard", "comfyui", NOW, SlaWindow.HOUR_MS)).isEqualTo(1.0);
    assertThat(w.compliance("vip", "openai", NOW, SlaWindow.HOUR_MS)).isNaN();

    JsonObject s = w.summary(NOW);
    JsonObject vip = s.getJsonArray("tiers").getJsonObject(0);
    assertThat(vip.getString("tier")).isEqualTo("vip");
    assertThat(vip.getLong("promised_ms")).isEqualTo(30_000L);
    JsonObject hour = vip.getJsonObject("last_hour");
    assertThat(hour.getLong("jobs")).isEqualTo(4L);
    assertThat(hour.getLong("met")).isEqualTo(2L);
    assertThat(hour.getDouble("compliance")).isEqualTo(0.5);
    assertThat(hour.getBoolean("objective_met")).isFalse();
    assertThat(hour.getLong("max_actual_ms")).isEqualTo(31_000L);
    assertThat(vip.getJsonObject("last_day").getLong("jobs")).isEqualTo(5L);
    assertThat(vip.getJsonArray("services").getJsonObject(0).getString("service")).isEqualTo("comfyui");
    JsonObject standardHour = s.getJsonArray("tiers").getJsonObject(1).getJsonObject("last_hour");
    assertThat(standardHour.getLong("jobs")).isEqualTo(1L);
  }

  @Test
  void anEmptyWindowHasNoComplianceRatherThanAPerfectOne() {
    JsonObject hour = new SlaWindow(SlaConfig.DEFAULTS).summary(NOW).getJsonArray("tiers").getJsonObject(0)
        .getJsonObject("last_hour");
    assertThat(hour.getLong("jobs")).isZero();
    assertThat(hour.getValue("compliance")).isNull();
  }

  @Test
  void slaTiersComeFromTheConfiguration() {
    SlaConfig c = SlaConfig.from(new JsonObject().put("default_tier", "free").put("tiers", new JsonObject()
        .put("free", new JsonObject().put("promised_ms", 600_000))
        .put("pro", new JsonObject().put("promised_ms", 60_000).put("objective", 0.999))));
    assertThat(c.tierOf(null)).isEqualTo("free");
    assertThat(c.tierOf("vip")).isEqualTo("free");
    assertThat(c.tier("pro").promisedMs()).isEqualTo(60_000);
    assertThat(c.tier("free").objective()).isEqualTo(SlaConfig.DEFAULT_OBJECTIVE);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> SlaConfig.from(new JsonObject()
        .put("default_tier", "x").put("tiers", new JsonObject().put("y", new JsonObject()))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("default_tier");
  }

  @Test
  void capacityFollowsLittlesLaw() {
    MetricsConfig.Capacity cfg = new MetricsConfig.Capacity(100_000, 50_000);
    CapacityModel m = new CapacityModel(cfg);
    // 100 s window: 200 arrivals (2/s), 150 finished (1.5/s) taking 4 s each
    for (int i = 0; i < 200; i++) {
      m.arrived("comfyui", NOW - 90_000 + i * 450L);
    }
    for (int i = 0; i < 150; i++) {
      m.finished("comfyui", NOW - 90_000 + i * 600L, 4_000);
    }
    CapacityModel.Estimate e = m.estimate("comfyui", 100, NOW);
    assertThat(e.arrivalsPerSecond()).isEqualTo(2.0);
    assertThat(e.completionsPerSecond()).isEqualTo(1.5);
    assertThat(e.meanServiceSeconds()).isEqualTo(4.0);
    assertThat(e.timeToDrainSeconds()).as("arrivals outpace completions").isInfinite();
    // λ·S = 8 slots to keep up, plus B·S/T = 100*4/50 = 8 to drain the backlog within 50 s
    assertThat(e.slotsNeeded()).isEqualTo(16.0);
    assertThat(e.slotsBusy()).isEqualTo(6.0);
    JsonObject j = e.toJson(cfg);
    assertThat(j.getValue("time_to_drain_s")).isNull();
    assertThat(j.getBoolean("draining")).isFalse();
  }

  @Test
  void aShrinkingBacklogHasAFiniteTimeToDrain() {
    MetricsConfig.Capacity cfg = new MetricsConfig.Capacity(100_000, 120_000);
    CapacityModel m = new CapacityModel(cfg);
    for (int i = 0; i < 100; i++) {
      m.arrived("s", NOW - 50_000);
    }
    for (int i = 0; i < 300; i++) {
      m.finished("s", NOW - 50_000, 1_000);
    }
    CapacityModel.Estimate e = m.estimate("s", 400, NOW);
    assertThat(e.timeToDrainSeconds()).isEqualTo(200.0); // 400 / (3 - 1) per second
    assertThat(m.estimate("s", 0, NOW).timeToDrainSeconds()).isZero();
    assertThat(m.estimate("idle", 0, NOW).slotsNeeded()).as("no job finished: unknown").isNaN();
    assertThat(m.estimate("old", 0, NOW + 10 * cfg.windowMs()).arrivalsPerSecond()).isZero();
  }

  @Test
  void workThatWaitsNeedsASlotEvenWhenJobsFinishWithinTheMillisecond() {
    CapacityModel m = new CapacityModel(new MetricsConfig.Capacity(100_000, 50_000));
    m.arrived("fast", NOW - 1_000);
    m.finished("fast", NOW - 1_000, 0);
    assertThat(m.estimate("fast", 1, NOW).meanServiceSeconds()).isZero();
    assertThat(m.estimate("fast", 1, NOW).slotsNeeded()).as("a backlog").isEqualTo(1.0);
    assertThat(m.estimate("fast", 0, NOW).slotsNeeded()).as("arrivals").isEqualTo(1.0);
    assertThat(m.estimate("quiet", 0, NOW + 10 * 100_000).slotsNeeded()).as("nothing finished: unknown").isNaN();
  }

  @Test
  void slidingSumsForgetWhatLeftTheWindow() {
    SlidingSums s = new SlidingSums(1_000, 10, 1);
    s.add(NOW - 20_000, 0, 5); // already outside
    s.add(NOW - 5_000, 0, 1);
    s.add(NOW, 0, 2);
    assertThat(s.sum(NOW, 10_000, 0)).isEqualTo(3);
    assertThat(s.sum(NOW, 1_000, 0)).isEqualTo(2);
    s.add(NOW + 10_000, 0, 7); // reuses the slot of NOW
    assertThat(s.sum(NOW + 10_000, 10_000, 0)).isEqualTo(7);
    s.add(NOW, 0, 100); // older than what its slot holds: ignored
    assertThat(s.sum(NOW + 10_000, 10_000, 0)).isEqualTo(7);
    assertThat(Map.of()).isEmpty();
  }
}
