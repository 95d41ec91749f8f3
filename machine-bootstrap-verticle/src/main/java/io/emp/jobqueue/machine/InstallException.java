package io.emp.jobqueue.machine;

import io.emp.jobqueue.core.model.JobQueueException;
import java.util.Locale;

/** A component could not be installed; {@link Kind} is the seed's error type (error.type). */
public final class InstallException extends JobQueueException {
  /** Why an install failed. */
  public enum Kind {
    CHECKSUM_MISMATCH(Code.CONFLICT), DOWNLOAD_FAILED(Code.UNAVAILABLE), GIT_FAILED(Code.UNAVAILABLE),
    EXTRACT_FAILED(Code.INTERNAL), HTTP_STATUS(Code.UNAVAILABLE), IO(Code.INTERNAL);

    private final Code code;

    Kind(Code code) {
      this.code = code;
    }

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Kind kind;

  public InstallException(Kind kind, String message) {
    super(kind.code, message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
