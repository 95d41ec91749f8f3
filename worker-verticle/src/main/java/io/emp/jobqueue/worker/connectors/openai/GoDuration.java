package io.emp.jobqueue.worker.connectors.openai;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * Parses Go's {@code time.Duration} text form, which OpenAI uses in {@code x-ratelimit-reset-*}
 * headers: a sequence of decimal numbers each followed by a unit ({@code h m s ms us µs ns}), e.g.
 * {@code 6m0s}, {@code 20ms}, {@code 17.849s}, {@code 1h2m3.5s}. {@code ms} is one unit, never
 * minutes followed by seconds.
 */
public final class GoDuration {
  private GoDuration() {
  }

  /**
   * @throws IllegalArgumentException when the text is not a Go duration
   */
  public static Duration parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty duration");
    }
    String s = text.trim();
    if ("0".equals(s)) {
      return Duration.ZERO;
    }
    BigDecimal nanos = BigDecimal.ZERO;
    int i = 0;
    while (i < s.length()) {
      int start = i;
      while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
        i++;
      }
      if (start == i) {
        throw new IllegalArgumentException("missing number in duration: " + text);
      }
      BigDecimal value;
      try {
        value = new BigDecimal(s.substring(start, i));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad number in duration: " + text, e);
      }
      int unitStart = i;
      while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
        i++;
      }
      nanos = nanos.add(value.multiply(BigDecimal.valueOf(unitNanos(s.substring(unitStart, i), text))));
    }
    return Duration.ofNanos(nanos.longValue());
  }

  /** Like {@link #parse} but null for a missing or malformed value: headers are advisory. */
  public static Duration parseOrNull(String text) {
    if (text == null) {
      return null;
    }
    try {
      return parse(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static long unitNanos(String unit, String text) {
    return switch (unit) {
      case "h" -> 3_600_000_000_000L;
      case "m" -> 60_000_000_000L;
      case "s" -> 1_000_000_000L;
      case "ms" -> 1_000_000L;
      case "us", "µs", "μs" -> 1_000L;
      case "ns" -> 1L;
      case "" -> throw new IllegalArgumentException("missing unit in duration: " + text);
      default -> throw new IllegalArgumentException("unknown unit '" + unit + "' in duration: " + text);
    };
  }
}
