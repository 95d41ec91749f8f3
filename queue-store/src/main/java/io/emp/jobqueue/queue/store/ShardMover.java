package io.emp.jobqueue.queue.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;

/**
 * Lists a sharded namespace's shards on a Redis Cluster and moves one to another master while the
 * system runs (docs/redis.md, "Moving a shard"). {@code redis-cli --cluster reshard} must not be used
 * for a job-queue slot: it moves keys in batches while scripts run, and a script (which declares one
 * key and builds the others) could then find half its keys gone. Here the move is: set the shard's
 * {@link RedisKeys#moving()} flag, so every script refuses with TRYAGAIN (the cluster client retries);
 * hand the slot over with every key (the cluster's own IMPORTING / MIGRATING / MIGRATE / SETSLOT NODE);
 * clear the flag on the new owner. Running it again after a failure finishes what is left.
 */
public final class ShardMover implements AutoCloseable {
  /** Keys per MIGRATE call; the shard is frozen meanwhile, so the batch size only bounds one call. */
  static final int MIGRATE_BATCH = 1_000;
  static final int MIGRATE_TIMEOUT_MS = 10_000;

  /** A shard of the namespace: its index, hash tag prefix, slot and the master that serves it. */
  public record Shard(int index, String prefix, int slot, String node) {
  }

  /** How long the masters may take to agree on a slot's owner (gossip), before and after a move. */
  static final long SETTLE_MS = 15_000;
  static final long SETTLE_POLL_MS = 50;

  private final Vertx vertx;
  private final StoreConfig cfg;
  private final ClusterTopology topology;

  /** Fails (IllegalArgumentException) unless {@code cfg} names a Redis Cluster. */
  public ShardMover(Vertx vertx, StoreConfig cfg) {
    this.vertx = vertx;
    this.cfg = cfg;
    this.topology = new ClusterTopology(vertx, cfg.endpoint());
  }

  /** Every shard with the master that serves it now. */
  public Future<List<Shard>> shards() {
    return topology.masters().map(masters -> {
      List<Shard> out = new ArrayList<>();
      List<RedisKeys> keys = cfg.shardKeys();
      for (int i = 0; i < keys.size(); i++) {
        int slot = keys.get(i).slot();
        String node = masters.stream().filter(m -> m.serves(slot)).map(ClusterTopology.Node::address).findFirst()
            .orElse("unassigned");
        out.add(new Shard(i, keys.get(i).prefix(), slot, node));
      }
      return out;
    });
  }

  /** Moves shard {@code index} to the master at {@code target} (host:port); answers the shard as it is after. */
  public Future<Shard> move(int index, String target) {
    if (index < 0 || index >= cfg.shards()) {
      return Future.failedFuture(new IllegalArgumentException("shard must be within 0.." + (cfg.shards() - 1)));
    }
    RedisKeys shard = cfg.shardKeys().get(index);
    int slot = shard.slot();
    return topology.masters().compose(masters -> settled(masters, slot, System.currentTimeMillis() + SETTLE_MS)
        .compose(owner -> move(index, shard, masters, owner, target)));
  }

  private Future<Shard> move(int index, RedisKeys shard, List<ClusterTopology.Node> masters, String ownerId,
                             String target) {
    int slot = shard.slot();
    ClusterTopology.Node to = masters.stream().filter(m -> m.address().equals(target)).findFirst().orElse(null);
    ClusterTopology.Node from = masters.stream().filter(m -> m.id().equals(ownerId)).findFirst().orElse(null);
    if (to == null) {
      return Future.failedFuture(new IllegalArgumentException(target + " is not a master of the cluster (masters: "
          + String.join(", ", masters.stream().map(ClusterTopology.Node::address).toList()) + ")"));
    }
    if (from == null || from.id().equals(to.id())) {
      // already there (or a rerun after the slot changed owner): only the flag may be left
      return send(to, Request.cmd(Command.DEL).arg(shard.moving())).map(v -> new Shard(index, shard.prefix(), slot,
          to.address()));
    }
    String s = Integer.toString(slot);
    // ASK: a move that failed half-way already took the flag to the target
    return send(from, Request.cmd(Command.SET).arg(shard.moving()).arg("1"))
        .recover(err -> String.valueOf(err.getMessage()).startsWith("ASK") ? Future.succeededFuture()
            : Future.failedFuture(err))
        .compose(v -> send(to, Request.cmd(Command.CLUSTER).arg("SETSLOT").arg(s).arg("IMPORTING").arg(from.id())))
        .compose(v -> send(from, Request.cmd(Command.CLUSTER).arg("SETSLOT").arg(s).arg("MIGRATING").arg(to.id())))
        .compose(v -> migrateKeys(from, to, s))
        // the new owner first: a node redirected to it must find it owning the slot
        .compose(v -> send(to, Request.cmd(Command.CLUSTER).arg("SETSLOT").arg(s).arg("NODE").arg(to.id())))
        .compose(v -> Future.all(masters.stream().filter(m -> !m.id().equals(to.id()))
            .map(m -> send(m, Request.cmd(Command.CLUSTER).arg("SETSLOT").arg(s).arg("NODE").arg(to.id()))).toList()))
        // the next move (or a rerun) must find every master agreeing on the new owner
        .compose(v -> settled(masters, slot, System.currentTimeMillis() + SETTLE_MS))
        .compose(owner -> send(to, Request.cmd(Command.DEL).arg(shard.moving())))
        .map(v -> new Shard(index, shard.prefix(), slot, to.address()));
  }

  /**
   * The id of the master that owns {@code slot} once every master's own view names the same one;
   * polls until they agree (a handover spreads by gossip), failing as unavailable past the deadline.
   */
  private Future<String> settled(List<ClusterTopology.Node> masters, int slot, long deadline) {
    List<Future<String>> views = masters.stream().map(m -> topology.client(m)
        .send(Request.cmd(Command.CLUSTER).arg("NODES"))
        .map(r -> ClusterTopology.parse(r.toString()).stream().filter(n -> n.serves(slot)).map(ClusterTopology.Node::id)
            .findFirst().orElse("")))
        .toList();
    return Future.all(views).compose(all -> {
      List<String> ids = all.<String>list();
      if (!ids.get(0).isEmpty() && ids.stream().allMatch(ids.get(0)::equals)) {
        return Future.succeededFuture(ids.get(0));
      }
      if (System.currentTimeMillis() > deadline) {
        return Future.failedFuture(io.emp.jobqueue.core.model.JobQueueException.unavailable("the masters do not agree "
            + "who serves slot " + slot + " (" + ids + "); check the cluster (redis-cli --cluster check), then run again"));
      }
      return io.vertx.core.Future.<Long>future(p -> vertx.setTimer(SETTLE_POLL_MS, p::complete))
          .compose(t -> settled(masters, slot, deadline));
    });
  }

  private Future<Void> migrateKeys(ClusterTopology.Node from, ClusterTopology.Node to, String slot) {
    return send(from, Request.cmd(Command.CLUSTER).arg("GETKEYSINSLOT").arg(slot).arg(MIGRATE_BATCH)).compose(keys -> {
      if (keys == null || keys.size() == 0) {
        return Future.succeededFuture();
      }
      Request migrate = Request.cmd(Command.MIGRATE).arg(to.host()).arg(to.port()).arg("").arg(0)
          .arg(MIGRATE_TIMEOUT_MS);
      String userInfo = topology.userInfo();
      if (!userInfo.isEmpty()) {
        String[] up = userInfo.substring(0, userInfo.length() - 1).split(":", 2);
        if (up.length == 2 && !up[0].isEmpty()) {
          migrate.arg("AUTH2").arg(up[0]).arg(up[1]);
        } else {
          migrate.arg("AUTH").arg(up[up.length - 1]);
        }
      }
      migrate.arg("KEYS");
      keys.forEach(k -> migrate.arg(k.toString()));
      return send(from, migrate).compose(v -> migrateKeys(from, to, slot));
    });
  }

  private Future<Response> send(ClusterTopology.Node n, Request r) {
    return topology.client(n).send(r);
  }

  @Override
  public void close() {
    topology.close();
  }
}
