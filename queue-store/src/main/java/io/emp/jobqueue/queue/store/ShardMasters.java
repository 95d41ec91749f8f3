package io.emp.jobqueue.queue.store;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.RedisConnection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Connections straight to the master of a shard's slot on Redis Cluster, for what must run on the
 * script's own connection: {@code WAIT} (wait_replicas), which counts only the writes of the
 * connection it is sent on, while the cluster client would send a keyless WAIT to any node.
 *
 * <p>The owner of each slot is cached. An answer that proves the script did not run here and now —
 * MOVED or ASK (the slot is elsewhere or moving), TRYAGAIN (the shard is frozen by a move) — forgets the
 * owner and tries again after a pause, as the cluster client does; a broken connection is not retried
 * (the script may have run), it fails as unavailable.
 */
final class ShardMasters implements AutoCloseable {
  static final int RETRIES = 16;
  static final long RETRY_PAUSE_MS = 100;

  private final Vertx vertx;
  private final ClusterTopology topology;
  private final int poolSize;
  private final Map<Integer, ClusterTopology.Node> owners = new ConcurrentHashMap<>();

  ShardMasters(Vertx vertx, StoreConfig cfg) {
    this.vertx = vertx;
    this.topology = new ClusterTopology(vertx, cfg.endpoint());
    this.poolSize = cfg.poolSize();
  }

  /** Runs {@code call} on a connection to the master of {@code shard}'s slot, then gives the connection back. */
  <T> Future<T> onMaster(RedisKeys shard, Function<RedisConnection, Future<T>> call) {
    return attempt(shard, call, RETRIES);
  }

  private <T> Future<T> attempt(RedisKeys shard, Function<RedisConnection, Future<T>> call, int left) {
    int slot = shard.slot();
    ClusterTopology.Node known = owners.get(slot);
    Future<ClusterTopology.Node> owner = known != null ? Future.succeededFuture(known)
        : topology.ownerOf(slot).onSuccess(n -> owners.put(slot, n));
    return owner.compose(n -> topology.client(n, poolSize).connect())
        .compose(conn -> call.apply(conn).eventually(conn::close))
        .recover(err -> {
          if (left <= 0 || !notRunHere(err)) {
            return Future.failedFuture(err);
          }
          owners.remove(slot);
          Promise<Long> pause = Promise.promise();
          vertx.setTimer(RETRY_PAUSE_MS, pause::complete);
          return pause.future().compose(t -> attempt(shard, call, left - 1));
        });
  }

  /** Redis refused before running the command: the slot is served elsewhere, moving, or frozen. */
  static boolean notRunHere(Throwable err) {
    String msg = String.valueOf(err.getMessage());
    return msg.startsWith("MOVED") || msg.startsWith("ASK") || msg.startsWith("TRYAGAIN");
  }

  @Override
  public void close() {
    topology.close();
  }
}
