package io.emp.jobqueue.app;

import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.core.telemetry.TelemetryConfig;
import io.emp.jobqueue.queue.QueueConfig;
import io.emp.jobqueue.queue.QueueVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.ArrayList;
import java.util.List;

/** One running node: a Vert.x instance with the verticles of its roles. No logic beyond wiring. */
final class Node {
  private final Vertx vertx;
  private final Telemetry telemetry;
  private final List<String> urls = new ArrayList<>();

  private Node(Vertx vertx, Telemetry telemetry) {
    this.vertx = vertx;
    this.telemetry = telemetry;
  }

  static Future<Node> start(NodeConfig cfg) {
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    Telemetry telemetry = Telemetry.create(TelemetryConfig.from(cfg.section("telemetry")), List.of());
    Node node = new Node(vertx, telemetry);
    return node.deployRoles(cfg).map(node).recover(err -> node.stop().transform(x -> Future.failedFuture(err)));
  }

  private Future<Void> deployRoles(NodeConfig cfg) {
    Future<Void> chain = Future.succeededFuture();
    if (cfg.roles().contains(NodeConfig.Role.API)) {
      chain = chain.compose(v -> deployApi(cfg));
    }
    if (cfg.roles().contains(NodeConfig.Role.MACHINE)) {
      chain = chain.compose(v -> deployMachine(cfg));
    }
    return chain;
  }

  private Future<Void> deployApi(NodeConfig cfg) {
    QueueConfig queue = QueueConfig.from(cfg.section("queue"));
    return vertx.deployVerticle(new QueueVerticle(queue, telemetry)).mapEmpty();
  }

  private Future<Void> deployMachine(NodeConfig cfg) {
    return Future.succeededFuture();
  }

  Vertx vertx() {
    return vertx;
  }

  List<String> urls() {
    return urls;
  }

  boolean nativeTransport() {
    return vertx.isNativeTransportEnabled();
  }

  /** Undeploys every verticle (workers drain and hand back their jobs), then flushes telemetry. */
  Future<Void> stop() {
    return vertx.close().eventually(() -> {
      telemetry.close();
      return Future.succeededFuture();
    });
  }
}
