package io.emp.jobqueue.core.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimitedLogTest {
  final AtomicLong now = new AtomicLong(1_000_000);
  final Captured log = new Captured();
  final RateLimitedLog warnings = new RateLimitedLog(log, "claim loop", 30_000, now::get);

  @Test
  void oneLinePerDistinctErrorPerIntervalWithoutStackTraces() {
    ConnectException refused = new ConnectException("Connection refused: /127.0.0.1:6379");
    for (int i = 0; i < 500; i++) {
      warnings.warn("claim failed", refused);
      now.addAndGet(50); // a poll every 50 ms for 25 s
    }
    warnings.warn("claim failed", new IllegalStateException("NOAUTH Authentication required"));

    assertThat(log.lines).containsExactly(
        "WARNING claim loop: claim failed: Connection refused: /127.0.0.1:6379",
        "WARNING claim loop: claim failed: NOAUTH Authentication required");
    assertThat(log.thrown).isZero();

    now.addAndGet(30_000);
    warnings.warn("claim failed", refused);
    assertThat(log.lines.get(2))
        .isEqualTo("WARNING claim loop: claim failed: Connection refused: /127.0.0.1:6379 (499 more like this in the"
            + " last 30 s)");
  }

  @Test
  void aRecoveryIsLoggedOnceAndTheNextOutageIsReportedAtOnce() {
    warnings.recovered("claims succeed again");
    assertThat(log.lines).as("nothing failed: nothing to report").isEmpty();
    warnings.warn("claim failed", new ConnectException("refused"));
    warnings.warn("claim failed", new ConnectException("refused"));
    warnings.recovered("claims succeed again");
    warnings.recovered("claims succeed again");
    now.addAndGet(1_000);
    warnings.warn("claim failed", new ConnectException("refused"));
    assertThat(log.lines).containsExactly("WARNING claim loop: claim failed: refused",
        "INFO claim loop: claims succeed again after 2 failure(s)", "WARNING claim loop: claim failed: refused");
  }

  @Test
  void anErrorWithoutMessageIsNamedByItsCause() {
    assertThat(RateLimitedLog.describe(new RuntimeException(null, new ConnectException("refused")))).isEqualTo("refused");
    assertThat(RateLimitedLog.describe(new IllegalStateException())).isEqualTo("IllegalStateException");
  }

  @Test
  void distinctMessagesAreBounded() {
    for (int i = 0; i < 1_000; i++) {
      warnings.warn("x", "error " + i);
    }
    assertThat(log.lines).hasSize(1_000);
    // an old message is forgotten, so it is logged again even within the interval
    warnings.warn("x", "error 0");
    assertThat(log.lines).hasSize(1_001);
  }

  /** A System.Logger that keeps what it was given. */
  static final class Captured implements System.Logger {
    final List<String> lines = new ArrayList<>();
    int thrown;

    @Override
    public String getName() {
      return "captured";
    }

    @Override
    public boolean isLoggable(Level level) {
      return true;
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String msg, Throwable t) {
      lines.add(level.getName() + " " + msg);
      if (t != null) {
        thrown++;
      }
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
      lines.add(level.getName() + " " + format);
    }
  }
}
