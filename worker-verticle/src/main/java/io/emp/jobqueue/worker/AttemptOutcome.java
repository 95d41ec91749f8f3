package io.emp.jobqueue.worker;

import io.opentelemetry.context.Context;
import io.vertx.core.json.JsonObject;

/** What decided an attempt: the first of these to happen wins ({@link JobRunner}). */
sealed interface AttemptOutcome {
  record Succeeded(JsonObject result) implements AttemptOutcome {
  }

  /** The connector (or a stage) failed; {@code failing} is the span context it failed in. */
  record Failed(Throwable error, Context failing, String component) implements AttemptOutcome {
  }

  record TimedOut(long timeoutMs) implements AttemptOutcome {
  }

  record CancelRequested() implements AttemptOutcome {
  }

  record LeaseLost() implements AttemptOutcome {
  }

  record Drained() implements AttemptOutcome {
  }

  /** A later stage found the attempt already decided. */
  final class Abandoned extends RuntimeException {
    Abandoned() {
      super("attempt already ended", null, false, false);
    }
  }

  /** The attempt ran past its timeout. */
  final class TimeoutStop extends RuntimeException {
    TimeoutStop(long timeoutMs) {
      super("job exceeded its timeout of " + timeoutMs + " ms", null, false, false);
    }
  }
}
