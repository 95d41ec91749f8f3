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

  /**
   * Reads the limits section of the node config ({@code queue.store.limits}, snake_case keys; absent
   * keys take the defaults). The one source of limits: the gateway validates submits against what
   * this returns, and a node with the queue role reads the same section.
   */
  public static JobLimits from(io.emp.jobqueue.core.config.ConfigSection l) {
    JobLimits d = DEFAULTS;
    return new JobLimits(l.getInteger("max_payload_bytes", d.maxPayloadBytes()),
        l.getInteger("max_priority", d.maxPriority()), l.getInteger("default_priority", d.defaultPriority()),
        l.getInteger("default_max_retries", d.defaultMaxRetries()),
        l.getInteger("max_max_retries", d.maxMaxRetries()), l.getInteger("max_ctx_bytes", d.maxCtxBytes()));
  }

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
