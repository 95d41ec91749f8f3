package io.emp.jobqueue.bench;

import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.gateway.GatewayConfig;
import io.emp.jobqueue.gateway.GatewayVerticle;
import io.emp.jobqueue.queue.QueueConfig;
import io.emp.jobqueue.queue.QueueVerticle;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/** What the HTTP benchmarks drive: a queue verticle and a gateway on a free port, in the bench's JVM. */
final class ApiNode {
  /** The one API key of every bench node, an admin key. */
  static final String KEY = "bench-admin-key-0123456789abcdef";

  private ApiNode() {
  }

  /** Deploys both; {@code gateway} holds gateway settings beyond the defaults. Answers the gateway (its port). */
  static GatewayVerticle deploy(Vertx vertx, StoreConfig store, Telemetry telemetry, JsonObject gateway) {
    StoreBench.await(vertx.deployVerticle(new QueueVerticle(QueueConfig.defaults(store), telemetry)));
    GatewayVerticle gw = new GatewayVerticle(GatewayConfig.from(gateway.copy().put("port", 0),
        Map.of("EMP_API_KEYS", KEY + ":*:admin")), telemetry, store);
    StoreBench.await(vertx.deployVerticle(gw));
    return gw;
  }
}
