package io.emp.jobqueue.queue.store;

import io.emp.jobqueue.core.model.JobQueueException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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

  /** One master as CLUSTER NODES lists it: its id, address and the slot ranges it serves. */
  public record Node(String id, String host, int port, List<int[]> slots) {
    boolean serves(int slot) {
      return slots.stream().anyMatch(r -> slot >= r[0] && slot <= r[1]);
    }

    public String address() {
      return host + ":" + port;
    }
  }

  /** A shard of the namespace: its index, hash tag prefix, slot and the master that serves it. */
  public record Shard(int index, String prefix, int slot, String node) {
  }

  private final Vertx vertx;
  private final StoreConfig cfg;
  private final String userInfo;
  private final Map<String, Redis> clients = new HashMap<>();

  public ShardMover(Vertx vertx, StoreConfig cfg) {
    if (cfg.endpoint().topology() != RedisEndpoint.Topology.CLUSTER) {
      throw new IllegalArgumentException("shards live on a Redis Cluster: use a redis-cluster:// url");
    }
    this.vertx = vertx;
    this.cfg = cfg;
    String seed = cfg.endpoint().nodes().get(0);
    int at = seed.indexOf('@');
    this.userInfo = at < 0 ? "" : seed.substring(seed.indexOf("://") + 3, at + 1);
  }

  /** Every shard with the master that serves it now. */
  public Future<List<Shard>> shards() {
    return masters().map(masters -> {
      List<Shard> out = new ArrayList<>();
      List<RedisKeys> keys = cfg.shardKeys();
      for (int i = 0; i < keys.size(); i++) {
        int slot = keys.get(i).slot();
        String node = masters.stream().filter(m -> m.serves(slot)).map(Node::address).findFirst().orElse("unassigned");
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
    return masters().compose(masters -> {
      Node to = masters.stream().filter(m -> m.address().equals(target)).findFirst().orElse(null);
      Node from = masters.stream().filter(m -> m.serves(slot)).findFirst().orElse(null);
      if (to == null) {
        return Future.failedFuture(new IllegalArgumentException(target + " is not a master of the cluster (masters: "
            + String.join(", ", masters.stream().map(Node::address).toList()) + ")"));
      }
      if (from == null || from.id().equals(to.id())) {
        // already there (or a rerun after the slot changed owner): only the flag may be left
        return send(to, Request.cmd(Command.DEL).arg(shard.moving())).map(v -> new Shard(index, shard.prefix(), slot,
            to.address()));
      }
      String s = Integer.toString(slot);
      return send(from, Request.cmd(Command.SET).arg(shard.moving()).arg("1"))
          .compose(v -> send(to, Request.cmd(Command.CLUSTER).arg("SETSLOT").arg(s).arg("IMPORTING").arg(from.id())))
          .compose(v -> send(from, Request.cmd(Command.CLUSTER).arg("SETSLOT").arg(s).arg("MIGRATING").arg(to.id())))
          .compose(v -> migrateKeys(from, to, s))
          // the new owner first: a node redirected to it must find it owning the slot
          .compose(v -> send(to, Request.cmd(Command.CLUSTER).arg("SETSLOT").arg(s).arg("NODE").arg(to.id())))
          .compose(v -> Future.all(masters.stream().filter(m -> !m.id().equals(to.id()))
              .map(m -> send(m, Request.cmd(Command.CLUSTER).arg("SETSLOT").arg(s).arg("NODE").arg(to.id()))).toList()))
          .compose(v -> send(to, Request.cmd(Command.DEL).arg(shard.moving())))
          .map(v -> new Shard(index, shard.prefix(), slot, to.address()));
    });
  }

  private Future<Void> migrateKeys(Node from, Node to, String slot) {
    return send(from, Request.cmd(Command.CLUSTER).arg("GETKEYSINSLOT").arg(slot).arg(MIGRATE_BATCH)).compose(keys -> {
      if (keys == null || keys.size() == 0) {
        return Future.succeededFuture();
      }
      Request migrate = Request.cmd(Command.MIGRATE).arg(to.host()).arg(to.port()).arg("").arg(0)
          .arg(MIGRATE_TIMEOUT_MS);
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

  /** The masters that serve slots, from any seed that answers CLUSTER NODES. */
  Future<List<Node>> masters() {
    return firstAnswer(cfg.endpoint().nodes(), 0).map(r -> parse(r.toString()));
  }

  private Future<Response> firstAnswer(List<String> seeds, int i) {
    return client(seeds.get(i)).send(Request.cmd(Command.CLUSTER).arg("NODES"))
        .recover(err -> i + 1 < seeds.size() ? firstAnswer(seeds, i + 1)
            : Future.failedFuture(JobQueueException.unavailable("no cluster seed answered: " + err.getMessage())));
  }

  /** CLUSTER NODES: "id host:port@bus flags master ping pong epoch link slot-ranges..." per line. */
  static List<Node> parse(String nodes) {
    List<Node> out = new ArrayList<>();
    for (String line : nodes.split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length < 8 || !f[2].contains("master") || f[2].contains("fail")) {
        continue;
      }
      String addr = f[1].contains("@") ? f[1].substring(0, f[1].indexOf('@')) : f[1];
      addr = addr.contains(",") ? addr.substring(0, addr.indexOf(',')) : addr;
      int colon = addr.lastIndexOf(':');
      List<int[]> slots = new ArrayList<>();
      for (int i = 8; i < f.length; i++) {
        if (f[i].startsWith("[")) {
          continue; // a slot being imported or migrated right now
        }
        String[] range = f[i].split("-");
        int lo = Integer.parseInt(range[0]);
        slots.add(new int[] {lo, range.length > 1 ? Integer.parseInt(range[1]) : lo});
      }
      out.add(new Node(f[0], addr.substring(0, colon), Integer.parseInt(addr.substring(colon + 1)), slots));
    }
    return out;
  }

  private Future<Response> send(Node n, Request r) {
    String scheme = cfg.endpoint().nodes().get(0).startsWith("rediss") ? "rediss://" : "redis://";
    return client(scheme + userInfo + n.address()).send(r);
  }

  private Redis client(String uri) {
    return clients.computeIfAbsent(uri, u -> Redis.createClient(vertx, new RedisOptions().setConnectionString(u)
        .setMaxPoolSize(1)));
  }

  @Override
  public void close() {
    clients.values().forEach(Redis::close);
  }
}
