package io.emp.jobqueue.worker.connectors.openai;

import io.vertx.core.MultiMap;
import java.time.Duration;

/** The rate-limit and bookkeeping headers of one OpenAI response; every field may be null. */
public record RateLimits(String requestId, Long processingMs, Long remainingRequests, Long remainingTokens,
                         Duration resetRequests, Duration resetTokens) {

  public static RateLimits from(MultiMap h) {
    return new RateLimits(h.get("x-request-id"), longOrNull(h.get("openai-processing-ms")),
        longOrNull(h.get("x-ratelimit-remaining-requests")), longOrNull(h.get("x-ratelimit-remaining-tokens")),
        GoDuration.parseOrNull(h.get("x-ratelimit-reset-requests")),
        GoDuration.parseOrNull(h.get("x-ratelimit-reset-tokens")));
  }

  static Long longOrNull(String s) {
    if (s == null) {
      return null;
    }
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
