package io.emp.jobqueue.worker.connectors.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GoDurationTest {

  @Test
  void parsesTheShapesOpenAiSends() {
    assertThat(GoDuration.parse("1s")).isEqualTo(Duration.ofSeconds(1));
    assertThat(GoDuration.parse("6m0s")).isEqualTo(Duration.ofMinutes(6));
    assertThat(GoDuration.parse("20ms")).isEqualTo(Duration.ofMillis(20));
    assertThat(GoDuration.parse("17.849s")).isEqualTo(Duration.ofMillis(17_849));
    assertThat(GoDuration.parse("1h2m3.5s")).isEqualTo(Duration.ofMillis(3_723_500));
    assertThat(GoDuration.parse("0")).isEqualTo(Duration.ZERO);
    assertThat(GoDuration.parse("0s")).isEqualTo(Duration.ZERO);
  }

  @Test
  void msIsOneUnitNotMinutesThenSeconds() {
    assertThat(GoDuration.parse("12ms")).isEqualTo(Duration.ofMillis(12));
    assertThat(GoDuration.parse("1m12ms")).isEqualTo(Duration.ofMillis(60_012));
  }

  @Test
  void parsesSubMillisecondUnits() {
    assertThat(GoDuration.parse("500us")).isEqualTo(Duration.ofNanos(500_000));
    assertThat(GoDuration.parse("500µs")).isEqualTo(Duration.ofNanos(500_000));
    assertThat(GoDuration.parse("7ns")).isEqualTo(Duration.ofNanos(7));
    assertThat(GoDuration.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
  }

  @Test
  void rejectsMalformedText() {
    assertThatThrownBy(() -> GoDuration.parse("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GoDuration.parse("12")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GoDuration.parse("s")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GoDuration.parse("3d")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GoDuration.parse("1.2.3s")).isInstanceOf(IllegalArgumentException.class);
    assertThat(GoDuration.parseOrNull("soon")).isNull();
    assertThat(GoDuration.parseOrNull(null)).isNull();
  }
}
