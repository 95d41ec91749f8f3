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
import java.util.List;
import java.util.Map;

/**
 * The masters of a Redis Cluster and the slots each serves, read from any seed of the url that answers
 * {@code CLUSTER NODES}; and a plain client per node, for what must talk to one node itself (the shard
 * mover, the stream tails of {@link SlotOwnerClient}, {@link ShardMasters}). Safe to share between threads.
 */
final class ClusterTopology implements AutoCloseable {
  /** One master as CLUSTER NODES lists it: its id, address and the slot ranges it serves. */
  record Node(String id, String host, int port, List<int[]> slots) {
    boolean serves(int slot) {
      return slots.stream().anyMatch(r -> slot >= r[0] && slot <= r[1]);
    }

    String address() {
      return host + ":" + port;
    }
  }

  private final Vertx vertx;
  private final List<String> seeds;
  private final String scheme;
  private final String userInfo;
  private final Map<String, Redis> clients = new java.util.concurrent.ConcurrentHashMap<>();

  ClusterTopology(Vertx vertx, RedisEndpoint endpoint) {
    if (endpoint.topology() != RedisEndpoint.Topology.CLUSTER) {
      throw new IllegalArgumentException("shards live on a Redis Cluster: use a redis-cluster:// url");
    }
    this.vertx = vertx;
    this.seeds = endpoint.nodes();
    String seed = seeds.get(0);
    this.scheme = seed.substring(0, seed.indexOf("://") + 3);
    int at = seed.indexOf('@');
    this.userInfo = at < 0 ? "" : seed.substring(scheme.length(), at + 1);
  }

  /** "user:password@" of the url, or "" (MIGRATE needs the credentials for the target). */
  String userInfo() {
    return userInfo;
  }

  /** The masters that serve slots now (failed ones left out). */
  Future<List<Node>> masters() {
    return firstAnswer(0).map(r -> parse(r.toString()));
  }

  /** The master that serves {@code slot} now. */
  Future<Node> ownerOf(int slot) {
    return masters().map(ms -> ms.stream().filter(m -> m.serves(slot)).findFirst()
        .orElseThrow(() -> JobQueueException.unavailable("no master serves slot " + slot + " now")));
  }

  private Future<Response> firstAnswer(int i) {
    return client(seeds.get(i)).send(Request.cmd(Command.CLUSTER).arg("NODES"))
        .recover(err -> i + 1 < seeds.size() ? firstAnswer(i + 1)
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

  /** A plain client of one node (one connection). */
  Redis client(Node n) {
    return client(scheme + userInfo + n.address(), 1);
  }

  /** A plain pooled client of one node ({@code poolSize} connections). */
  Redis client(Node n, int poolSize) {
    return client(scheme + userInfo + n.address(), poolSize);
  }

  private Redis client(String uri) {
    return client(uri, 1);
  }

  private Redis client(String uri, int poolSize) {
    return clients.computeIfAbsent(poolSize + " " + uri, k -> Redis.createClient(vertx, new RedisOptions()
        .setConnectionString(uri).setPreferredProtocolVersion(io.vertx.redis.client.ProtocolVersion.RESP2)
        .setMaxPoolSize(poolSize).setMaxPoolWaiting(Math.max(poolSize, 100_000))));
  }

  @Override
  public void close() {
    clients.values().forEach(Redis::close);
    clients.clear();
  }
}
