package io.emp.jobqueue.core.model;

/**
 * Base of every expected failure. {@link Code} is the one vocabulary that the event bus
 * (failure codes) and HTTP (status codes) map from, so no caller parses messages.
 */
public class JobQueueException extends RuntimeException {

  public enum Code {
    VALIDATION(400),
    UNAUTHORIZED(401),
    FORBIDDEN(403),
    NOT_FOUND(404),
    CONFLICT(409),
    /** The caller's claim token no longer owns the job (lease expired, job re-claimed or finished). */
    LEASE_LOST(409),
    PAYLOAD_TOO_LARGE(413),
    QUEUE_FULL(503),
    UNAVAILABLE(503),
    INTERNAL(500),
    // HTTP-edge codes (appended, so the bus codes of the ones above never change)
    /** The request body did not arrive within the server's read deadline. */
    REQUEST_TIMEOUT(408),
    /** The request line (method, path, query) is longer than the server reads. */
    URI_TOO_LONG(414),
    /** The request headers are larger than the server reads. */
    HEADERS_TOO_LARGE(431);

    private final int httpStatus;

    Code(int httpStatus) {
      this.httpStatus = httpStatus;
    }

    public int httpStatus() {
      return httpStatus;
    }

    /** Event-bus failure codes are small positive ints; keep them disjoint from Vert.x's own (negative). */
    public int busCode() {
      return 1000 + ordinal();
    }

    public static Code fromBusCode(int code) {
      int i = code - 1000;
      return i >= 0 && i < values().length ? values()[i] : INTERNAL;
    }
  }

  private final Code code;
  private final boolean ownMessage;

  public JobQueueException(Code code, String message) {
    this(code, message, false);
  }

  private JobQueueException(Code code, String message, boolean ownMessage) {
    super(message, null, false, false);
    this.code = code;
    this.ownMessage = ownMessage;
  }

  public Code code() {
    return code;
  }

  /**
   * Whether the message was written by this project for the caller (no driver or Redis text in it),
   * so the edge may show it even for codes whose messages it otherwise replaces (unavailable).
   */
  public boolean ownMessage() {
    return ownMessage;
  }

  /** UNAVAILABLE with a message meant for the caller (e.g. why and what to do). */
  public static JobQueueException unavailable(String publicMessage) {
    return new JobQueueException(Code.UNAVAILABLE, publicMessage, true);
  }

  public static JobQueueException notFound(String what) {
    return new JobQueueException(Code.NOT_FOUND, what + " not found");
  }
}
