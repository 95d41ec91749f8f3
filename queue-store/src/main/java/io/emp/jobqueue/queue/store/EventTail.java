package io.emp.jobqueue.queue.store;

import io.emp.jobqueue.core.model.JobEvent;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;

/**
 * Follows the global job-event stream ({@link StreamTail}); each event carries its stream id. The key
 * shape stays in this module: readers never build Redis keys.
 */
public final class EventTail extends StreamTail<JobEvent> {
  private EventTail(Redis client, String key) {
    super(client, key, "event tail", JobQueries::entries);
  }

  public static EventTail create(Vertx vertx, StoreConfig cfg) {
    return new EventTail(RedisClients.dedicated(vertx, cfg), new RedisKeys(cfg.namespace()).events());
  }
}
