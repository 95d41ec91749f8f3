package io.emp.jobqueue.core.http;

import io.vertx.core.http.HttpServerOptions;
import io.emp.jobqueue.core.config.ConfigSection;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;

/**
 * Deadlines of an HTTP server's connections, so clients that open connections and then send
 * nothing, or trickle a request byte by byte (slowloris), cannot hold them. Enforced by
 * {@link ReadDeadlines}.
 *
 * @param idleTimeoutMs a connection with no byte in either direction for this long is closed
 *     (WebSockets included: their heartbeats keep live ones busy)
 * @param headerTimeoutMs a connection must deliver a complete request head within this time of opening
 *     or of finishing its previous exchange; an idle keep-alive connection is closed after it too
 * @param bodyTimeoutMs a request body must have arrived completely this long after its head
 */
public record HttpTimeouts(long idleTimeoutMs, long headerTimeoutMs, long bodyTimeoutMs) {
  public static final long DEFAULT_IDLE_TIMEOUT_MS = 60_000;
  public static final long DEFAULT_HEADER_TIMEOUT_MS = 10_000;
  public static final long DEFAULT_BODY_TIMEOUT_MS = 60_000;
  public static final HttpTimeouts DEFAULTS =
      new HttpTimeouts(DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_HEADER_TIMEOUT_MS, DEFAULT_BODY_TIMEOUT_MS);
  /** Shortest deadline accepted: below it a deadline would fire while a local client is still writing. */
  public static final long MIN_TIMEOUT_MS = 50;

  public HttpTimeouts {
    if (idleTimeoutMs < MIN_TIMEOUT_MS || idleTimeoutMs > Integer.MAX_VALUE || headerTimeoutMs < MIN_TIMEOUT_MS
        || bodyTimeoutMs < MIN_TIMEOUT_MS) {
      throw new IllegalArgumentException("idle_timeout_ms, request_header_timeout_ms and request_body_timeout_ms "
          + "must be >= " + MIN_TIMEOUT_MS + " (idle_timeout_ms at most " + Integer.MAX_VALUE + ")");
    }
  }

  /** Reads {@code idle_timeout_ms}, {@code request_header_timeout_ms}, {@code request_body_timeout_ms}. */
  public static HttpTimeouts from(JsonObject j) {
    return from(ConfigSection.of(j == null ? new JsonObject() : j));
  }

  /** As {@link #from(JsonObject)}, through the launcher's checked config reader. */
  public static HttpTimeouts from(ConfigSection s) {
    return new HttpTimeouts(s.getLong("idle_timeout_ms", DEFAULT_IDLE_TIMEOUT_MS),
        s.getLong("request_header_timeout_ms", DEFAULT_HEADER_TIMEOUT_MS),
        s.getLong("request_body_timeout_ms", DEFAULT_BODY_TIMEOUT_MS));
  }

  /** Puts the idle timeout on the server options (the read deadlines need {@link ReadDeadlines}). */
  public HttpServerOptions applyTo(HttpServerOptions options) {
    return options.setIdleTimeout((int) idleTimeoutMs).setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
  }
}
