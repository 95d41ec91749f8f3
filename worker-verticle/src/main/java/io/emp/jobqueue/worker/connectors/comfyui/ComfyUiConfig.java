package io.emp.jobqueue.worker.connectors.comfyui;

import io.emp.jobqueue.core.config.ConfigSection;
import io.vertx.core.json.JsonObject;

/**
 * ComfyUI connector settings. One ComfyUI server runs per GPU: the job on GPU {@code i} talks to
 * {@code basePort + i} when {@code portPerGpu} is on (the machine bootstrap starts them that way).
 *
 * @param historyPollMs interval of {@code /history/{id}} polls while the entry is not stored yet
 * @param reconnectInitialMs first wait before re-opening a dropped WebSocket; doubles up to {@code reconnectMaxMs}
 * @param maxMessageBytes largest WebSocket message accepted (preview frames can be large)
 */
public record ComfyUiConfig(String host, int basePort, boolean portPerGpu, long historyPollMs,
                            long reconnectInitialMs, long reconnectMaxMs, int maxMessageBytes) {
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_BASE_PORT = 8188;
  public static final long DEFAULT_HISTORY_POLL_MS = 250;
  public static final long DEFAULT_RECONNECT_INITIAL_MS = 500;
  public static final long DEFAULT_RECONNECT_MAX_MS = 5_000;
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

  public ComfyUiConfig {
    host = host == null || host.isBlank() ? DEFAULT_HOST : host;
    if (basePort <= 0 || basePort > 65535) {
      throw new IllegalArgumentException("comfyui base_port must be 1..65535: " + basePort);
    }
    if (historyPollMs <= 0 || reconnectInitialMs <= 0 || reconnectMaxMs < reconnectInitialMs) {
      throw new IllegalArgumentException("comfyui intervals must be positive, reconnect_max >= reconnect_initial");
    }
    if (maxMessageBytes < 65_536) {
      throw new IllegalArgumentException("comfyui max_message_bytes must be at least 64 KiB");
    }
  }

  public static ComfyUiConfig defaults(String host, int basePort) {
    return new ComfyUiConfig(host, basePort, true, DEFAULT_HISTORY_POLL_MS, DEFAULT_RECONNECT_INITIAL_MS,
        DEFAULT_RECONNECT_MAX_MS, DEFAULT_MAX_MESSAGE_BYTES);
  }

  /** Reads the {@code comfyui} config object. */
  public static ComfyUiConfig from(JsonObject j) {
    return from(ConfigSection.of(j, "worker.connectors.comfyui"));
  }

  /** Reads the "worker.connectors.comfyui" section. */
  public static ComfyUiConfig from(ConfigSection j) {
    return new ComfyUiConfig(j.getString("host", DEFAULT_HOST), j.getInteger("base_port", DEFAULT_BASE_PORT),
        j.getBoolean("port_per_gpu", true), j.getLong("history_poll_ms", DEFAULT_HISTORY_POLL_MS),
        j.getLong("reconnect_initial_ms", DEFAULT_RECONNECT_INITIAL_MS),
        j.getLong("reconnect_max_ms", DEFAULT_RECONNECT_MAX_MS),
        j.getInteger("max_message_bytes", DEFAULT_MAX_MESSAGE_BYTES));
  }

  public ComfyUiConfig withTimings(long historyPoll, long reconnectInitial, long reconnectMax) {
    return new ComfyUiConfig(host, basePort, portPerGpu, historyPoll, reconnectInitial, reconnectMax,
        maxMessageBytes);
  }

  /** The port of the ComfyUI serving {@code gpuIndex} (-1: no GPU binding, the base port). */
  public int port(int gpuIndex) {
    return portPerGpu && gpuIndex > 0 ? basePort + gpuIndex : basePort;
  }

  public String endpoint(int gpuIndex) {
    return "http://" + host + ":" + port(gpuIndex);
  }
}
