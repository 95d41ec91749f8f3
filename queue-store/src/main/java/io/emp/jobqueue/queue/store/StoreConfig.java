package io.emp.jobqueue.queue.store;

import io.emp.jobqueue.core.model.JobLimits;
import io.emp.jobqueue.core.config.ConfigSection;
import io.vertx.core.json.JsonObject;

/**
 * Settings of the Redis job store, validated once. Every default is a named constant.
 *
 * @param namespace the hash tag shared by every key ({namespace}:job:..)
 * @param maxPendingPerService submit answers "queue full" past this many pending jobs of one service (0: no bound)
 * @param connectTimeoutMs how long the first connection to Redis is retried (with backoff) before a
 *                         component gives up starting; 0 tries once
 * @param redisUrl where Redis is: standalone, sentinel or cluster ({@link RedisEndpoint} lists the forms)
 * @param waitReplicas durability: submit and complete wait (Redis {@code WAIT}) until this many replicas
 *                     hold the write, else answer "unavailable"; 0 (the default) does not wait
 * @param waitTimeoutMs how long one such wait may take
 * @param shards how many shards the jobs spread over (each its own hash tag, so its own cluster slot);
 *               1 (the default) keeps everything in one slot. Fixed for the life of the data: every
 *               node of a deployment must use the same number (docs/redis.md)
 */
public record StoreConfig(String redisUrl, String namespace, int poolSize, int maxPoolWaiting,
                          long retentionCompletedMs, long retentionFailedMs, long retentionCancelledMs,
                          long eventsMaxLen, int jobEventsMax, long idempotencyTtlMs, int maxPendingPerService,
                          RetryPolicy retry, int errorChainMax, int eventResultMaxBytes, int listScanMax,
                          JobLimits limits, long connectTimeoutMs, int waitReplicas, long waitTimeoutMs,
                          int shards) {
  public static final String DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";
  public static final String DEFAULT_NAMESPACE = "emp";
  public static final int DEFAULT_POOL_SIZE = 16;
  public static final long HOUR_MS = 3_600_000L;
  public static final long DEFAULT_RETENTION_COMPLETED_MS = 24 * HOUR_MS;
  public static final long DEFAULT_RETENTION_FAILED_MS = 7 * 24 * HOUR_MS;
  public static final long DEFAULT_RETENTION_CANCELLED_MS = 24 * HOUR_MS;
  public static final long DEFAULT_EVENTS_MAXLEN = 100_000;
  public static final int DEFAULT_JOB_EVENTS_MAX = 1_000;
  public static final long DEFAULT_IDEMPOTENCY_TTL_MS = 24 * HOUR_MS;
  public static final int DEFAULT_MAX_PENDING_PER_SERVICE = 1_000_000;
  public static final long DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
  public static final int DEFAULT_WAIT_REPLICAS = 0;
  public static final long DEFAULT_WAIT_TIMEOUT_MS = 1_000;
  public static final int DEFAULT_SHARDS = 1;

  public StoreConfig {
    RedisEndpoint.parse(redisUrl); // validates the url
    new RedisKeys(namespace); // validates the namespace
    if (poolSize < 1 || maxPoolWaiting < 1) {
      throw new IllegalArgumentException("pool_size and max_pool_waiting must be >= 1");
    }
    if (retentionCompletedMs < 1000 || retentionFailedMs < 1000 || retentionCancelledMs < 1000) {
      throw new IllegalArgumentException("retention must be at least 1000 ms");
    }
    if (eventsMaxLen < 100 || jobEventsMax < 10) {
      throw new IllegalArgumentException("events_max_len must be >= 100 and job_events_max >= 10");
    }
    if (maxPendingPerService < 0 || errorChainMax < 1 || eventResultMaxBytes < 0 || listScanMax < 1) {
      throw new IllegalArgumentException("invalid store bounds");
    }
    if (connectTimeoutMs < 0) {
      throw new IllegalArgumentException("connect_timeout_ms must be >= 0");
    }
    if (waitReplicas < 0 || waitTimeoutMs < 1) {
      throw new IllegalArgumentException("wait_replicas must be >= 0 and wait_timeout_ms >= 1");
    }
    if (shards < 1 || shards > RedisKeys.MAX_SHARDS) {
      throw new IllegalArgumentException("shards must be within 1.." + RedisKeys.MAX_SHARDS);
    }
    retry = retry == null ? RetryPolicy.DEFAULT : retry;
    limits = limits == null ? JobLimits.DEFAULTS : limits;
  }

  public static StoreConfig defaults(String redisUrl) {
    return from(new JsonObject().put("redis_url", redisUrl));
  }

  public StoreConfig withNamespace(String ns) {
    return copy(c -> c.namespace = ns);
  }

  public StoreConfig withRetry(RetryPolicy r) {
    return copy(c -> c.retry = r);
  }

  public StoreConfig withPoolSize(int size) {
    return copy(c -> c.poolSize = size);
  }

  public StoreConfig withMaxPending(int max) {
    return copy(c -> c.maxPendingPerService = max);
  }

  public StoreConfig withConnectTimeout(long ms) {
    return copy(c -> c.connectTimeoutMs = ms);
  }

  /** Submit and complete wait for {@code replicas} replicas, each wait at most {@code timeoutMs} (0: no wait). */
  public StoreConfig withWaitReplicas(int replicas, long timeoutMs) {
    return copy(c -> {
      c.waitReplicas = replicas;
      c.waitTimeoutMs = timeoutMs;
    });
  }

  /** Jobs spread over {@code n} shards (hash tags). */
  public StoreConfig withShards(int n) {
    return copy(c -> c.shards = n);
  }

  /** A copy with {@code change} applied, validated like any other: each wither names only what it changes. */
  private StoreConfig copy(java.util.function.Consumer<Copy> change) {
    Copy c = new Copy(this);
    change.accept(c);
    return c.build();
  }

  /** The components, settable one by one (only the withers above use it). */
  private static final class Copy {
    String redisUrl;
    String namespace;
    int poolSize;
    int maxPoolWaiting;
    long retentionCompletedMs;
    long retentionFailedMs;
    long retentionCancelledMs;
    long eventsMaxLen;
    int jobEventsMax;
    long idempotencyTtlMs;
    int maxPendingPerService;
    RetryPolicy retry;
    int errorChainMax;
    int eventResultMaxBytes;
    int listScanMax;
    JobLimits limits;
    long connectTimeoutMs;
    int waitReplicas;
    long waitTimeoutMs;
    int shards;

    Copy(StoreConfig s) {
      redisUrl = s.redisUrl;
      namespace = s.namespace;
      poolSize = s.poolSize;
      maxPoolWaiting = s.maxPoolWaiting;
      retentionCompletedMs = s.retentionCompletedMs;
      retentionFailedMs = s.retentionFailedMs;
      retentionCancelledMs = s.retentionCancelledMs;
      eventsMaxLen = s.eventsMaxLen;
      jobEventsMax = s.jobEventsMax;
      idempotencyTtlMs = s.idempotencyTtlMs;
      maxPendingPerService = s.maxPendingPerService;
      retry = s.retry;
      errorChainMax = s.errorChainMax;
      eventResultMaxBytes = s.eventResultMaxBytes;
      listScanMax = s.listScanMax;
      limits = s.limits;
      connectTimeoutMs = s.connectTimeoutMs;
      waitReplicas = s.waitReplicas;
      waitTimeoutMs = s.waitTimeoutMs;
      shards = s.shards;
    }

    StoreConfig build() {
      return new StoreConfig(redisUrl, namespace, poolSize, maxPoolWaiting, retentionCompletedMs, retentionFailedMs,
          retentionCancelledMs, eventsMaxLen, jobEventsMax, idempotencyTtlMs, maxPendingPerService, retry,
          errorChainMax, eventResultMaxBytes, listScanMax, limits, connectTimeoutMs, waitReplicas, waitTimeoutMs,
          shards);
    }
  }

  /** The keys of each shard, in shard order ({@link RedisKeys#shards}). */
  public java.util.List<RedisKeys> shardKeys() {
    return RedisKeys.shards(namespace, shards);
  }

  /** The parsed {@link #redisUrl()}: topology, nodes, master name. */
  public RedisEndpoint endpoint() {
    return RedisEndpoint.parse(redisUrl);
  }

  /** Reads the "store" section of the node config (keys in snake_case; absent keys take the defaults). */
  public static StoreConfig from(JsonObject j) {
    return from(ConfigSection.of(j, "queue.store"));
  }

  /** Reads the "store" section (see {@link #from(JsonObject)}). */
  public static StoreConfig from(ConfigSection j) {
    JobLimits limits = JobLimits.from(j.section("limits"));
    return new StoreConfig(j.getString("redis_url", DEFAULT_REDIS_URL), j.getString("namespace", DEFAULT_NAMESPACE),
        j.getInteger("pool_size", DEFAULT_POOL_SIZE), j.getInteger("max_pool_waiting", 100_000),
        j.getLong("retention_completed_ms", DEFAULT_RETENTION_COMPLETED_MS),
        j.getLong("retention_failed_ms", DEFAULT_RETENTION_FAILED_MS),
        j.getLong("retention_cancelled_ms", DEFAULT_RETENTION_CANCELLED_MS),
        j.getLong("events_max_len", DEFAULT_EVENTS_MAXLEN), j.getInteger("job_events_max", DEFAULT_JOB_EVENTS_MAX),
        j.getLong("idempotency_ttl_ms", DEFAULT_IDEMPOTENCY_TTL_MS),
        j.getInteger("max_pending_per_service", DEFAULT_MAX_PENDING_PER_SERVICE),
        RetryPolicy.from(j.section("retry")), j.getInteger("error_chain_max", 10),
        j.getInteger("event_result_max_bytes", 64 * 1024), j.getInteger("list_scan_max", 10_000), limits,
        j.getLong("connect_timeout_ms", DEFAULT_CONNECT_TIMEOUT_MS),
        j.getInteger("wait_replicas", DEFAULT_WAIT_REPLICAS), j.getLong("wait_timeout_ms", DEFAULT_WAIT_TIMEOUT_MS),
        j.getInteger("shards", DEFAULT_SHARDS));
  }
}
