package io.emp.jobqueue.queue;

import io.emp.jobqueue.queue.store.StoreConfig;
import io.emp.jobqueue.core.config.ConfigSection;
import io.vertx.core.json.JsonObject;

/**
 * @param housekeepingIntervalMs how often expired leases are reaped and due retries promoted
 * @param trimIntervalMs how often index entries past retention are dropped
 * @param housekeepingBatch jobs handled per reap/promote call
 */
public record QueueConfig(StoreConfig store, long housekeepingIntervalMs, long trimIntervalMs, int housekeepingBatch) {
  public static final long DEFAULT_HOUSEKEEPING_INTERVAL_MS = 500;
  public static final long DEFAULT_TRIM_INTERVAL_MS = 60_000;
  public static final int DEFAULT_HOUSEKEEPING_BATCH = 500;

  public QueueConfig {
    if (housekeepingIntervalMs < 10 || trimIntervalMs < 1000 || housekeepingBatch < 1) {
      throw new IllegalArgumentException("queue: housekeeping_interval_ms >= 10, trim_interval_ms >= 1000, "
          + "housekeeping_batch >= 1");
    }
  }

  public static QueueConfig from(JsonObject j) {
    return from(ConfigSection.of(j, "queue"));
  }

  /** Reads the "queue" section of the node config, its "store" section included. */
  public static QueueConfig from(ConfigSection j) {
    return new QueueConfig(StoreConfig.from(j.section("store")),
        j.getLong("housekeeping_interval_ms", DEFAULT_HOUSEKEEPING_INTERVAL_MS),
        j.getLong("trim_interval_ms", DEFAULT_TRIM_INTERVAL_MS),
        j.getInteger("housekeeping_batch", DEFAULT_HOUSEKEEPING_BATCH));
  }

  public static QueueConfig defaults(StoreConfig store) {
    return new QueueConfig(store, DEFAULT_HOUSEKEEPING_INTERVAL_MS, DEFAULT_TRIM_INTERVAL_MS,
        DEFAULT_HOUSEKEEPING_BATCH);
  }
}
