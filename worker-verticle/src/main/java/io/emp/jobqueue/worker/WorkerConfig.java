package io.emp.jobqueue.worker;

import io.emp.jobqueue.core.config.ConfigSection;
import io.emp.jobqueue.core.model.WorkerCapabilities;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/**
 * Settings of one worker, validated once. Every default is a named constant.
 *
 * @param capabilities who the worker is (id, machine, services) and what it offers to the claim matcher
 * @param concurrency jobs run at once (slots)
 * @param leaseMs how long a claim holds a job without renewal; a crashed worker's job returns after this
 * @param renewIntervalMs lease renewal period; at most a third of the lease so two renewals may fail in a row
 * @param scanLimit queue entries per service the claim script may look at
 * @param idlePollMs the fallback poll while no wake-up arrives (pub/sub is the fast path)
 * @param defaultJobTimeoutMs attempt timeout when the job names none
 * @param progressThrottleMs at most one progress write per this interval
 * @param drainGraceMs on undeploy, how long running jobs may finish before they are handed back
 */
public record WorkerConfig(WorkerCapabilities capabilities, int concurrency, long leaseMs, long renewIntervalMs,
                           int scanLimit, long idlePollMs, long defaultJobTimeoutMs, long progressThrottleMs,
                           long drainGraceMs) {
  public static final int DEFAULT_CONCURRENCY = 1;
  public static final long DEFAULT_LEASE_MS = 30_000;
  public static final long DEFAULT_RENEW_INTERVAL_MS = 10_000;
  public static final int DEFAULT_SCAN_LIMIT = 100;
  public static final long DEFAULT_IDLE_POLL_MS = 2_000;
  public static final long DEFAULT_JOB_TIMEOUT_MS = 10 * 60_000;
  public static final long DEFAULT_PROGRESS_THROTTLE_MS = 500;
  public static final long DEFAULT_DRAIN_GRACE_MS = 30_000;
  public static final int MAX_CONCURRENCY = 1_024;
  public static final long MIN_LEASE_MS = 300;

  public WorkerConfig {
    if (capabilities == null || capabilities.services().isEmpty()) {
      throw new IllegalArgumentException("worker capabilities with at least one service are required");
    }
    if (capabilities.workerId() == null || capabilities.workerId().isBlank()) {
      throw new IllegalArgumentException("worker_id is required");
    }
    if (concurrency < 1 || concurrency > MAX_CONCURRENCY) {
      throw new IllegalArgumentException("concurrency must be within 1.." + MAX_CONCURRENCY);
    }
    if (leaseMs < MIN_LEASE_MS) {
      throw new IllegalArgumentException("lease_ms must be >= " + MIN_LEASE_MS);
    }
    if (renewIntervalMs < 1 || renewIntervalMs > leaseMs / 3) {
      throw new IllegalArgumentException("renew_interval_ms must be within 1..lease_ms/3 (" + leaseMs / 3 + ")");
    }
    if (scanLimit < 1 || idlePollMs < 1 || defaultJobTimeoutMs < 1) {
      throw new IllegalArgumentException("scan_limit, idle_poll_ms and default_job_timeout_ms must be >= 1");
    }
    if (progressThrottleMs < 0 || drainGraceMs < 0) {
      throw new IllegalArgumentException("progress_throttle_ms and drain_grace_ms must be >= 0");
    }
  }

  /** Defaults for everything but the identity and services. */
  public static WorkerConfig defaults(WorkerCapabilities caps) {
    return builder(caps).build();
  }

  /** A builder starting from the defaults; {@link Builder#build} validates. */
  public static Builder builder(WorkerCapabilities caps) {
    return new Builder(caps);
  }

  /** A builder holding these settings, to change some by name. */
  public Builder toBuilder() {
    return new Builder(capabilities).concurrency(concurrency).lease(leaseMs, renewIntervalMs).scanLimit(scanLimit)
        .idlePoll(idlePollMs).jobTimeout(defaultJobTimeoutMs).progressThrottle(progressThrottleMs)
        .drainGrace(drainGraceMs);
  }

  /**
   * Reads the "worker" config section (snake_case). Capability keys (worker_id, machine_id, services,
   * hardware, models, customer_isolation, allowed_customers, denied_customers, workflow_id, attributes)
   * sit at the top level, the same shape the claim matcher receives; a missing worker_id gets a random one.
   */
  public static WorkerConfig from(JsonObject j) {
    return from(ConfigSection.of(j, "worker"));
  }

  /** Reads the "worker" section (see {@link #from(JsonObject)}). */
  public static WorkerConfig from(ConfigSection j) {
    JsonObject caps = new JsonObject();
    for (String k : new String[] {"worker_id", "machine_id", "services", "hardware", "models", "customer_isolation",
        "allowed_customers", "denied_customers", "workflow_id", "attributes"}) {
      if (j.containsKey(k)) {
        caps.put(k, j.getValue(k));
      }
    }
    if (!caps.containsKey("worker_id")) {
      caps.put("worker_id", "worker-" + UUID.randomUUID().toString().substring(0, 8));
    }
    return builder(WorkerCapabilities.fromJson(caps)).concurrency(j.getInteger("concurrency", DEFAULT_CONCURRENCY))
        .lease(j.getLong("lease_ms", DEFAULT_LEASE_MS), j.getLong("renew_interval_ms", DEFAULT_RENEW_INTERVAL_MS))
        .scanLimit(j.getInteger("scan_limit", DEFAULT_SCAN_LIMIT))
        .idlePoll(j.getLong("idle_poll_ms", DEFAULT_IDLE_POLL_MS))
        .jobTimeout(j.getLong("default_job_timeout_ms", DEFAULT_JOB_TIMEOUT_MS))
        .progressThrottle(j.getLong("progress_throttle_ms", DEFAULT_PROGRESS_THROTTLE_MS))
        .drainGrace(j.getLong("drain_grace_ms", DEFAULT_DRAIN_GRACE_MS))
        .build();
  }

  public String workerId() {
    return capabilities.workerId();
  }

  public String machineId() {
    return capabilities.machineId();
  }

  public WorkerConfig withCapabilities(WorkerCapabilities caps) {
    return toBuilder().capabilities(caps).build();
  }

  public WorkerConfig withConcurrency(int n) {
    return toBuilder().concurrency(n).build();
  }

  public WorkerConfig withLease(long lease, long renewInterval) {
    return toBuilder().lease(lease, renewInterval).build();
  }

  public WorkerConfig withIdlePoll(long ms) {
    return toBuilder().idlePoll(ms).build();
  }

  public WorkerConfig withJobTimeout(long ms) {
    return toBuilder().jobTimeout(ms).build();
  }

  public WorkerConfig withProgressThrottle(long ms) {
    return toBuilder().progressThrottle(ms).build();
  }

  public WorkerConfig withDrainGrace(long ms) {
    return toBuilder().drainGrace(ms).build();
  }

  /** Settings by name (the record's nine values, four of them adjacent longs, never given by position). */
  public static final class Builder {
    private WorkerCapabilities capabilities;
    private int concurrency = DEFAULT_CONCURRENCY;
    private long leaseMs = DEFAULT_LEASE_MS;
    private long renewIntervalMs = DEFAULT_RENEW_INTERVAL_MS;
    private int scanLimit = DEFAULT_SCAN_LIMIT;
    private long idlePollMs = DEFAULT_IDLE_POLL_MS;
    private long defaultJobTimeoutMs = DEFAULT_JOB_TIMEOUT_MS;
    private long progressThrottleMs = DEFAULT_PROGRESS_THROTTLE_MS;
    private long drainGraceMs = DEFAULT_DRAIN_GRACE_MS;

    private Builder(WorkerCapabilities capabilities) {
      this.capabilities = capabilities;
    }

    public Builder capabilities(WorkerCapabilities caps) {
      this.capabilities = caps;
      return this;
    }

    public Builder concurrency(int n) {
      this.concurrency = n;
      return this;
    }

    /** Lease and renewal period together: the renewal is checked against the lease. */
    public Builder lease(long leaseMs, long renewIntervalMs) {
      this.leaseMs = leaseMs;
      this.renewIntervalMs = renewIntervalMs;
      return this;
    }

    public Builder scanLimit(int n) {
      this.scanLimit = n;
      return this;
    }

    public Builder idlePoll(long ms) {
      this.idlePollMs = ms;
      return this;
    }

    public Builder jobTimeout(long ms) {
      this.defaultJobTimeoutMs = ms;
      return this;
    }

    public Builder progressThrottle(long ms) {
      this.progressThrottleMs = ms;
      return this;
    }

    public Builder drainGrace(long ms) {
      this.drainGraceMs = ms;
      return this;
    }

    /** The settings, validated (IllegalArgumentException names the bad one). */
    public WorkerConfig build() {
      return new WorkerConfig(capabilities, concurrency, leaseMs, renewIntervalMs, scanLimit, idlePollMs,
          defaultJobTimeoutMs, progressThrottleMs, drainGraceMs);
    }
  }
}
