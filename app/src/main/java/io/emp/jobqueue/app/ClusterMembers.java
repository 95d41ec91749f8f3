package io.emp.jobqueue.app;

import io.emp.jobqueue.core.telemetry.Version;
import io.emp.jobqueue.gateway.GatewayConfig;
import io.emp.jobqueue.queue.bus.NodeIdentity;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.NodeInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** The cluster as one node sees it: its own member metadata and the member list of {@code GET /api/cluster}. */
final class ClusterMembers {
  private final Vertx vertx;
  private final ClusterManager cluster;
  private final ClusterConfig clusterCfg;
  private final long startedAt;

  /** @param cluster null outside a cluster */
  ClusterMembers(Vertx vertx, ClusterManager cluster, ClusterConfig clusterCfg, long startedAt) {
    this.vertx = vertx;
    this.cluster = cluster;
    this.clusterCfg = clusterCfg;
    this.startedAt = startedAt;
  }

  /** This node's entry in the cluster's member list ({@code GET /api/cluster}). */
  static JsonObject metadata(NodeConfig cfg, long startedAt) {
    JsonObject m = new JsonObject().put("roles", roleNames(cfg)).put("joined_at", startedAt)
        .put("version", Version.current());
    if (cfg.roles().contains(NodeConfig.Role.API)) {
      m.put("http_port", GatewayConfig.from(cfg.section("gateway"), Map.of()).port());
    }
    Object machineId = cfg.section("machine").getValue("machine_id");
    if (cfg.roles().contains(NodeConfig.Role.MACHINE)) {
      m.put("machine_id", machineId != null ? machineId : Node.defaultMachineId());
    }
    return m;
  }

  private static JsonArray roleNames(NodeConfig cfg) {
    JsonArray a = new JsonArray();
    cfg.roles().stream().sorted().forEach(r -> a.add(r.name().toLowerCase()));
    return a;
  }

  String busAddress() {
    NodeInfo info = cluster == null ? null : cluster.getNodeInfo();
    return info == null ? "?" : info.host() + ":" + info.port();
  }

  /**
   * {@code GET /api/cluster}: every member with its roles (from its cluster metadata), or, outside a
   * cluster, this node alone.
   */
  Future<JsonObject> describe(NodeConfig cfg) {
    String self = NodeIdentity.of(vertx);
    JsonObject out = new JsonObject().put("clustered", cluster != null).put("node_id", self)
        .put("cluster_name", cluster != null ? clusterCfg.name() : null);
    if (cluster == null) {
      JsonObject me = metadata(cfg, startedAt).put("node_id", self).put("self", true);
      return Future.succeededFuture(out.put("members", new JsonArray().add(me)));
    }
    List<Future<JsonObject>> members = new ArrayList<>();
    for (String id : cluster.getNodes()) {
      Promise<NodeInfo> info = Promise.promise();
      cluster.getNodeInfo(id, info);
      members.add(info.future().map(ni -> {
        JsonObject m = ni.metadata() == null ? new JsonObject() : ni.metadata().copy();
        return m.put("node_id", id).put("host", ni.host()).put("bus_port", ni.port()).put("self", id.equals(self));
      }));
    }
    // a member that leaves while we ask is left out
    return Future.join(members).transform(ar -> {
      JsonArray list = new JsonArray();
      members.stream().filter(Future::succeeded).map(Future::result)
          .sorted(Comparator.comparing(m -> m.getLong("joined_at", 0L)))
          .forEach(list::add);
      return Future.succeededFuture(out.put("members", list));
    });
  }
}
