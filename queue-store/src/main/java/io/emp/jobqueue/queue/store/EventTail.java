package io.emp.jobqueue.queue.store;

import io.emp.jobqueue.core.model.JobEvent;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;

/**
 * Follows one shard's job-event stream ({@link StreamTail}); each event carries its stream id. A job's
 * events are all in its shard's stream, in order, so a reader that follows every shard's stream sees
 * each job's events in order. The key shape stays in this module: readers never build Redis keys.
 */
public final class EventTail extends StreamTail<JobEvent> {
  private EventTail(Redis client, String key) {
    super(client, key, "event tail", JobQueries::entries);
  }

  /** A tail of the first shard's stream (with one shard, the only one). */
  public static EventTail create(Vertx vertx, StoreConfig cfg) {
    return of(vertx, cfg, cfg.shardKeys().get(0));
  }

  /** One tail per shard, each on a connection of its own (an XREAD of several streams cannot span slots). */
  public static java.util.List<EventTail> perShard(Vertx vertx, StoreConfig cfg) {
    return cfg.shardKeys().stream().map(k -> of(vertx, cfg, k)).toList();
  }

  private static EventTail of(Vertx vertx, StoreConfig cfg, RedisKeys shard) {
    return new EventTail(RedisClients.forStream(vertx, cfg, shard.events()), shard.events());
  }
}
