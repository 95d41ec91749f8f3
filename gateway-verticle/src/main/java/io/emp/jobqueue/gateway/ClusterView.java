package io.emp.jobqueue.gateway;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * What {@code GET /api/cluster} shows: {@code {clustered, cluster_name, node_id, members: [{node_id,
 * roles, host, http_port, joined_at, self}]}}. The launcher knows the cluster manager and the roles;
 * the gateway only serves the answer.
 */
@FunctionalInterface
public interface ClusterView {
  Future<JsonObject> describe();
}
