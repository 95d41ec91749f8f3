package io.emp.jobqueue.gateway;

import io.emp.jobqueue.core.config.ConfigSection;
import io.emp.jobqueue.core.http.HttpTimeouts;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Settings of the gateway, validated once. Every default is a named constant.
 *
 * @param apiKeys the keys that may call the API; empty and {@code authDisabled} false means every
 *     protected call is refused (fail closed, see docs/decisions.md)
 * @param authDisabled local development only: every caller is an admin. Must be set explicitly.
 * @param wsMaxQueuedMessages messages written to one socket but not yet flushed; past it the client is cut off
 * @param heartbeatIntervalMs how often each socket is pinged
 * @param heartbeatTimeoutMs a socket whose last pong is older than this is closed
 * @param authTimeoutMs how long a socket may stay unauthenticated (first-message auth)
 * @param queueTimeoutMs event-bus request timeout towards the queue
 * @param retryAfterSeconds value of Retry-After on 503 answers
 * @param relayBlockMs XREAD BLOCK time of the event relay
 * @param relayBatch stream entries read per relay round
 * @param relayRetryMs pause before the relay retries after a Redis error
 * @param sendBufferBytes TCP send buffer of the server sockets (-1: the OS default)
 * @param timeouts idle timeout and request read deadlines of the HTTP server (slowloris)
 * @param allowedOrigins browser origins ({@code scheme://host[:port]}) allowed to use the SockJS bridge
 *     cross-origin; none by default
 * @param batchMaxJobs most jobs one POST /api/jobs/batch may carry (more: 413)
 * @param batchBodyLimitBytes body limit of POST /api/jobs/batch, which carries many jobs in one body (the other
 *     routes keep {@code bodyLimitBytes})
 */
public record GatewayConfig(String host, int port, long bodyLimitBytes, List<ApiKey> apiKeys, boolean authDisabled,
                            int wsMaxQueuedMessages, int wsMaxSubscriptions, int wsMaxMessageBytes,
                            long heartbeatIntervalMs, long heartbeatTimeoutMs, long authTimeoutMs,
                            long queueTimeoutMs, int retryAfterSeconds, long relayBlockMs, int relayBatch,
                            long relayRetryMs, int sendBufferBytes, HttpTimeouts timeouts,
                            List<String> allowedOrigins, int batchMaxJobs, long batchBodyLimitBytes) {
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8080;
  public static final long DEFAULT_BODY_LIMIT_BYTES = 2L * 1024 * 1024;
  public static final int DEFAULT_WS_MAX_QUEUED_MESSAGES = 1_000;
  public static final int DEFAULT_WS_MAX_SUBSCRIPTIONS = 1_000;
  public static final int DEFAULT_WS_MAX_MESSAGE_BYTES = 2 * 1024 * 1024;
  public static final long DEFAULT_HEARTBEAT_INTERVAL_MS = 5_000;
  public static final long DEFAULT_HEARTBEAT_TIMEOUT_MS = 15_000;
  public static final long DEFAULT_AUTH_TIMEOUT_MS = 10_000;
  public static final long DEFAULT_QUEUE_TIMEOUT_MS = 10_000;
  public static final int DEFAULT_RETRY_AFTER_SECONDS = 5;
  public static final long DEFAULT_RELAY_BLOCK_MS = 1_000;
  public static final int DEFAULT_RELAY_BATCH = 500;
  public static final long DEFAULT_RELAY_RETRY_MS = 500;
  public static final int DEFAULT_BATCH_MAX_JOBS = 1_000;
  /** 1,000 jobs of up to 16 KiB each; a job's own payload limit (queue.store.limits) still applies. */
  public static final long DEFAULT_BATCH_BODY_LIMIT_BYTES = 16L * 1024 * 1024;
  /** Environment variable with comma-separated {@code key:customer:role} entries (role client|admin). */
  public static final String ENV_API_KEYS = "EMP_API_KEYS";

  public GatewayConfig {
    if (host == null || host.isBlank() || port < 0 || port > 65_535) {
      throw new IllegalArgumentException("gateway: host required and port within 0..65535");
    }
    if (bodyLimitBytes < 1024 || wsMaxQueuedMessages < 1 || wsMaxSubscriptions < 1 || wsMaxMessageBytes < 1024) {
      throw new IllegalArgumentException("gateway: body_limit_bytes >= 1024, ws_max_queued_messages >= 1, "
          + "ws_max_subscriptions >= 1, ws_max_message_bytes >= 1024");
    }
    if (heartbeatIntervalMs < 10 || heartbeatTimeoutMs <= heartbeatIntervalMs || authTimeoutMs < 10) {
      throw new IllegalArgumentException("gateway: heartbeat_interval_ms >= 10, heartbeat_timeout_ms > interval, "
          + "auth_timeout_ms >= 10");
    }
    if (queueTimeoutMs < 10 || retryAfterSeconds < 1 || relayBlockMs < 1 || relayBatch < 1 || relayRetryMs < 10) {
      throw new IllegalArgumentException("gateway: invalid queue or relay settings");
    }
    apiKeys = apiKeys == null ? List.of() : List.copyOf(apiKeys);
    timeouts = timeouts == null ? HttpTimeouts.DEFAULTS : timeouts;
    if (heartbeatIntervalMs >= timeouts.idleTimeoutMs()) {
      // The pings are what keeps a quiet but healthy WebSocket from reaching the idle timeout.
      throw new IllegalArgumentException("gateway: heartbeat_interval_ms must be below idle_timeout_ms");
    }
    allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
    if (batchMaxJobs < 1 || batchBodyLimitBytes < 1024) {
      throw new IllegalArgumentException("gateway: batch_max_jobs >= 1 and batch_body_limit_bytes >= 1024");
    }
    for (String o : allowedOrigins) {
      if (!o.matches("https?://[^/\\s]+")) {
        throw new IllegalArgumentException("gateway: allowed_origins entries are scheme://host[:port], got '" + o + "'");
      }
    }
  }

  public static GatewayConfig defaults() {
    return from(new JsonObject(), Map.of());
  }

  public GatewayConfig withPort(int p) {
    return new GatewayConfig(host, p, bodyLimitBytes, apiKeys, authDisabled, wsMaxQueuedMessages,
        wsMaxSubscriptions, wsMaxMessageBytes, heartbeatIntervalMs, heartbeatTimeoutMs, authTimeoutMs,
        queueTimeoutMs, retryAfterSeconds, relayBlockMs, relayBatch, relayRetryMs, sendBufferBytes, timeouts,
        allowedOrigins, batchMaxJobs, batchBodyLimitBytes);
  }

  /**
   * Reads the "gateway" section of the node config (snake_case keys; absent keys take the defaults).
   * API keys come from {@code api_keys} (array of {key, customer_id, role}) plus {@link #ENV_API_KEYS}.
   * HTTP deadlines: {@code idle_timeout_ms}, {@code request_header_timeout_ms}, {@code request_body_timeout_ms}
   * ({@link HttpTimeouts}); SockJS origins: {@code allowed_origins} (array of strings); batch submit:
   * {@code batch_max_jobs}, {@code batch_body_limit_bytes}.
   */
  public static GatewayConfig from(JsonObject j, Map<String, String> env) {
    return from(ConfigSection.of(j, "gateway"), env);
  }

  /** Reads the "gateway" section (see {@link #from(JsonObject, Map)}). */
  public static GatewayConfig from(ConfigSection j, Map<String, String> env) {
    List<ApiKey> keys = new ArrayList<>();
    for (Object o : j.getJsonArray("api_keys", new JsonArray())) {
      JsonObject k = (JsonObject) o;
      keys.add(ApiKey.of(k.getString("key"), k.getString("customer_id", "*"), k.getString("role", "client")));
    }
    keys.addAll(ApiKey.parseList(env.get(ENV_API_KEYS)));
    ConfigSection auth = j.section("auth");
    return new GatewayConfig(j.getString("host", DEFAULT_HOST), j.getInteger("port", DEFAULT_PORT),
        j.getLong("body_limit_bytes", DEFAULT_BODY_LIMIT_BYTES), keys, auth.getBoolean("disabled", false),
        j.getInteger("ws_max_queued_messages", DEFAULT_WS_MAX_QUEUED_MESSAGES),
        j.getInteger("ws_max_subscriptions", DEFAULT_WS_MAX_SUBSCRIPTIONS),
        j.getInteger("ws_max_message_bytes", DEFAULT_WS_MAX_MESSAGE_BYTES),
        j.getLong("heartbeat_interval_ms", DEFAULT_HEARTBEAT_INTERVAL_MS),
        j.getLong("heartbeat_timeout_ms", DEFAULT_HEARTBEAT_TIMEOUT_MS),
        j.getLong("auth_timeout_ms", DEFAULT_AUTH_TIMEOUT_MS),
        j.getLong("queue_timeout_ms", DEFAULT_QUEUE_TIMEOUT_MS),
        j.getInteger("retry_after_seconds", DEFAULT_RETRY_AFTER_SECONDS),
        j.getLong("relay_block_ms", DEFAULT_RELAY_BLOCK_MS), j.getInteger("relay_batch", DEFAULT_RELAY_BATCH),
        j.getLong("relay_retry_ms", DEFAULT_RELAY_RETRY_MS), j.getInteger("send_buffer_bytes", -1),
        HttpTimeouts.from(j),
        j.getJsonArray("allowed_origins", new JsonArray()).stream().map(String::valueOf).toList(),
        j.getInteger("batch_max_jobs", DEFAULT_BATCH_MAX_JOBS),
        j.getLong("batch_body_limit_bytes", DEFAULT_BATCH_BODY_LIMIT_BYTES));
  }

  /** Never prints key material. */
  @Override
  public String toString() {
    return "GatewayConfig[host=" + host + ", port=" + port + ", bodyLimitBytes=" + bodyLimitBytes + ", apiKeys="
        + apiKeys.size() + ", authDisabled=" + authDisabled + ", wsMaxQueuedMessages=" + wsMaxQueuedMessages
        + ", heartbeatIntervalMs=" + heartbeatIntervalMs + ", timeouts=" + timeouts + ", allowedOrigins="
        + allowedOrigins + ", batchMaxJobs=" + batchMaxJobs + ", batchBodyLimitBytes=" + batchBodyLimitBytes + "]";
  }
}
