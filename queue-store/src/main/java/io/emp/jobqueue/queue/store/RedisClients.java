package io.emp.jobqueue.queue.store;

import io.vertx.core.Vertx;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisReplicas;
import io.vertx.redis.client.RedisRole;

/**
 * The one place that creates Redis clients: every store, tail and subscriber of the project gets
 * its client here, so each follows the topology of {@link StoreConfig#endpoint()} the same way.
 *
 * <p>Sentinel: role {@link RedisRole#MASTER}. The client asks the sentinels for the master's address
 * for each new connection (cached for 1 s, the client's topology cache), and its pool is per server
 * address, so after a failover new connections reach the new master and those to the dead one are
 * dropped as they fail. The client's own "auto failover" (re-pointing open connections when a
 * sentinel announces {@code +switch-master}) stays off: it re-points connections without their
 * handlers and subscriptions, which would silently end a wake subscription; our long-lived
 * connections (tails, subscriptions) reconnect by themselves when theirs ends.
 */
public final class RedisClients {
  private RedisClients() {
  }

  /** A pooled client for commands and scripts ({@code pool_size} connections). */
  public static Redis pooled(Vertx vertx, StoreConfig cfg) {
    return Redis.createClient(vertx, options(cfg.endpoint()).setMaxPoolSize(cfg.poolSize())
        .setMaxPoolWaiting(Math.max(cfg.poolSize(), cfg.maxPoolWaiting())));
  }

  /**
   * The source of the store's pipelined connections (one per event loop, held for the store's life:
   * {@link PipelinedRedis}); bounded by the event loops, never by {@code pool_size}.
   */
  public static Redis pipelines(Vertx vertx, StoreConfig cfg) {
    return Redis.createClient(vertx, options(cfg.endpoint()).setMaxPoolSize(PIPELINES_MAX).setMaxPoolWaiting(PIPELINES_MAX));
  }

  /** More than any node's event loops (2 per core by default) plus the callers off the loops. */
  static final int PIPELINES_MAX = 256;

  /**
   * A client for one long-lived connection of its own (a subscription, a blocking read): it must
   * never hold a connection the store's commands need.
   */
  public static Redis dedicated(Vertx vertx, StoreConfig cfg) {
    return Redis.createClient(vertx, options(cfg.endpoint()).setMaxPoolSize(1));
  }

  /**
   * A client for blocking reads of one stream ({@link StreamTail}): {@link #dedicated} on a single server
   * or Sentinel; on Redis Cluster a {@link SlotOwnerClient}, whose connections go to the key's master.
   */
  public static Redis forStream(Vertx vertx, StoreConfig cfg, String key) {
    return cfg.endpoint().topology() == RedisEndpoint.Topology.CLUSTER ? new SlotOwnerClient(vertx, cfg, key)
        : dedicated(vertx, cfg);
  }

  static RedisOptions options(RedisEndpoint endpoint) {
    RedisOptions o = new RedisOptions().setPreferredProtocolVersion(ProtocolVersion.RESP2);
    endpoint.nodes().forEach(o::addConnectionString);
    return switch (endpoint.topology()) {
      case STANDALONE -> o.setType(RedisClientType.STANDALONE);
      case SENTINEL -> o.setType(RedisClientType.SENTINEL).setMasterName(endpoint.masterName())
          .setRole(RedisRole.MASTER).setAutoFailover(false);
      // every script writes: never route to a replica
      case CLUSTER -> o.setType(RedisClientType.CLUSTER).setUseReplicas(RedisReplicas.NEVER);
    };
  }
}
