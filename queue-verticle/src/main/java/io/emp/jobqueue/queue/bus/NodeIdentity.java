package io.emp.jobqueue.queue.bus;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import java.util.UUID;

/**
 * The id of the node a Vert.x instance belongs to: in a cluster, the cluster manager's node id
 * (the launcher registers it); otherwise a random id made once per Vert.x instance. Monitor notices
 * carry it, so a gateway can tell its own node's notices from other nodes' ones, and event-bus
 * spans carry it, so a trace shows which JVM each hop ran on.
 */
public final class NodeIdentity {
  private static final String MAP = "emp.node";
  private static final String KEY = "node_id";

  private NodeIdentity() {
  }

  /** Sets the id (the launcher, with the cluster node id, before anything reads it). */
  public static void register(Vertx vertx, String nodeId) {
    vertx.sharedData().<String, String>getLocalMap(MAP).put(KEY, nodeId);
  }

  public static String of(Vertx vertx) {
    LocalMap<String, String> map = vertx.sharedData().getLocalMap(MAP);
    String id = map.get(KEY);
    if (id == null) {
      String fresh = UUID.randomUUID().toString();
      id = map.putIfAbsent(KEY, fresh);
      if (id == null) {
        id = fresh;
      }
    }
    return id;
  }
}
