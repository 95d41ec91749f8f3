package io.emp.jobqueue.core.model;

/**
 * Bounds on what a client may submit. Defaults are generous for AI payloads (ComfyUI graphs are
 * tens of KiB) while keeping a single job from bloating Redis.
 */
public record JobLimits(int maxPayloadBytes, int maxPriority, int defaultPriority, int defaultMaxRetries,
                        int maxMaxRetries, int maxCtxBytes) {
  public static final int DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;
  public static final int DEFAULT_MAX_PRIORITY = 1000;
  public static final int DEFAULT_PRIORITY = 50;
  public static final int DEFAULT_MAX_RETRIES = 3;
  public static final JobLimits DEFAULTS = new JobLimits(DEFAULT_MAX_PAYLOAD_BYTES, DEFAULT_MAX_PRIORITY,
      DEFAULT_PRIORITY, DEFAULT_MAX_RETRIES, 50, 64 * 1024);

  public JobLimits {
    if (maxPayloadBytes <= 0 || maxCtxBytes <= 0) {
      throw new IllegalArgumentException("payload and ctx limits must be positive");
    }
    if (maxPriority <= 0 || maxPriority > PriorityScore.MAX_PRIORITY) {
      throw new IllegalArgumentException("maxPriority must be within 1.." + PriorityScore.MAX_PRIORITY);
    }
    if (defaultPriority < 0 || defaultPriority > maxPriority) {
      throw new IllegalArgumentException("defaultPriority must be within 0..maxPriority");
    }
    if (defaultMaxRetries < 0 || defaultMaxRetries > maxMaxRetries) {
      throw new IllegalArgumentException("defaultMaxRetries must be within 0..maxMaxRetries");
    }
  }
}
