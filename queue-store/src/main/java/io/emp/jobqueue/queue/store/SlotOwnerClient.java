package io.emp.jobqueue.queue.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;

/**
 * A client for the blocking stream reads of one key on Redis Cluster: each connection goes straight
 * to the master that serves the key's slot now, found from the cluster's own table. The cluster
 * client of Vert.x 5.0.7 stops answering on a connection after a blocking read that timed out
 * (a null reply: the next command never completes; docs/decisions.md), and a tail's read times out
 * whenever nothing happens. A moved slot or a failover breaks the connection or answers MOVED; the
 * tail then drops the connection, and the next one finds the new owner.
 */
final class SlotOwnerClient implements Redis {
  private final ClusterTopology topology;
  private final int slot;

  SlotOwnerClient(Vertx vertx, StoreConfig cfg, String key) {
    this.topology = new ClusterTopology(vertx, cfg.endpoint());
    this.slot = ClusterSlots.slot(key);
  }

  @Override
  public Future<RedisConnection> connect() {
    return topology.ownerOf(slot).compose(n -> topology.client(n).connect());
  }

  @Override
  public Future<Void> close() {
    topology.close();
    return Future.succeededFuture();
  }

  @Override
  public Future<Response> send(Request request) {
    return connect().compose(c -> c.send(request).eventually(c::close));
  }

  @Override
  public Future<List<Response>> batch(List<Request> requests) {
    return connect().compose(c -> c.batch(requests).eventually(c::close));
  }
}
