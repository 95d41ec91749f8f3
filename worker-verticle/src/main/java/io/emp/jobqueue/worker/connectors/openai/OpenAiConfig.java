package io.emp.jobqueue.worker.connectors.openai;

import io.emp.jobqueue.core.config.ConfigSection;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.Map;

/**
 * OpenAI connector settings. The API key comes from config {@code api_key} or the environment
 * ({@code OPENAI_API_KEY}); {@link #toString()} never prints it.
 *
 * @param baseUrl API root including the version path, e.g. https://api.openai.com/v1
 * @param maxRetries retries after the first attempt for retryable failures (429 rate limit, 408/409, 5xx, IO)
 * @param initialBackoffMs first backoff when the server gives no Retry-After; doubles per retry
 * @param maxBackoffMs cap of the exponential backoff
 * @param captureContent record prompts and completions on spans (gen_ai.input/output.messages)
 */
public record OpenAiConfig(String baseUrl, String apiKey, String organization, String project, int maxRetries,
                           long initialBackoffMs, long maxBackoffMs, boolean captureContent,
                           String defaultChatModel, String defaultImageModel) {
  public static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";
  public static final int DEFAULT_MAX_RETRIES = 2;
  public static final long DEFAULT_INITIAL_BACKOFF_MS = 500;
  public static final long DEFAULT_MAX_BACKOFF_MS = 8_000;
  /** Server-suggested waits above this are not trusted (openai-java does the same). */
  public static final long MAX_RETRY_AFTER_MS = 60_000;
  public static final String DEFAULT_CHAT_MODEL = "gpt-4o-mini";
  public static final String DEFAULT_IMAGE_MODEL = "gpt-image-1";
  public static final String ENV_API_KEY = "OPENAI_API_KEY";
  public static final String ENV_BASE_URL = "OPENAI_BASE_URL";

  public OpenAiConfig {
    baseUrl = baseUrl == null || baseUrl.isBlank() ? DEFAULT_BASE_URL : stripSlash(baseUrl.trim());
    URI u = URI.create(baseUrl);
    if (u.getHost() == null || !("http".equals(u.getScheme()) || "https".equals(u.getScheme()))) {
      throw new IllegalArgumentException("openai base_url must be an http(s) URL: " + baseUrl);
    }
    if (maxRetries < 0 || initialBackoffMs < 0 || maxBackoffMs < initialBackoffMs) {
      throw new IllegalArgumentException("openai retry settings must be non-negative, max_backoff >= initial");
    }
    defaultChatModel = defaultChatModel == null ? DEFAULT_CHAT_MODEL : defaultChatModel;
    defaultImageModel = defaultImageModel == null ? DEFAULT_IMAGE_MODEL : defaultImageModel;
  }

  public static OpenAiConfig defaults(String baseUrl, String apiKey) {
    return new OpenAiConfig(baseUrl, apiKey, null, null, DEFAULT_MAX_RETRIES, DEFAULT_INITIAL_BACKOFF_MS,
        DEFAULT_MAX_BACKOFF_MS, false, null, null);
  }

  /** Reads the {@code openai} config object; the key and base URL fall back to the environment. */
  public static OpenAiConfig from(JsonObject j, Map<String, String> env) {
    return from(ConfigSection.of(j, "worker.connectors.openai"), env);
  }

  /** Reads the "worker.connectors.openai" section. */
  public static OpenAiConfig from(ConfigSection j, Map<String, String> env) {
    String key = j.getString("api_key", env.get(ENV_API_KEY));
    return new OpenAiConfig(j.getString("base_url", env.get(ENV_BASE_URL)), key, j.getString("organization"),
        j.getString("project"), j.getInteger("max_retries", DEFAULT_MAX_RETRIES),
        j.getLong("initial_backoff_ms", DEFAULT_INITIAL_BACKOFF_MS),
        j.getLong("max_backoff_ms", DEFAULT_MAX_BACKOFF_MS), j.getBoolean("capture_content", false),
        j.getString("default_chat_model"), j.getString("default_image_model"));
  }

  public OpenAiConfig withRetries(int retries, long initialBackoff, long maxBackoff) {
    return new OpenAiConfig(baseUrl, apiKey, organization, project, retries, initialBackoff, maxBackoff,
        captureContent, defaultChatModel, defaultImageModel);
  }

  public OpenAiConfig withCaptureContent(boolean capture) {
    return new OpenAiConfig(baseUrl, apiKey, organization, project, maxRetries, initialBackoffMs, maxBackoffMs,
        capture, defaultChatModel, defaultImageModel);
  }

  URI uri() {
    return URI.create(baseUrl);
  }

  @Override
  public String toString() {
    return "OpenAiConfig[baseUrl=" + baseUrl + ", apiKey=" + (apiKey == null ? "absent" : "***")
        + ", maxRetries=" + maxRetries + ", captureContent=" + captureContent + "]";
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
