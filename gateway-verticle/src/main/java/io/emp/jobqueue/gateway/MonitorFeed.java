package io.emp.jobqueue.gateway;

import io.emp.jobqueue.queue.monitor.MonitorNotices;
import io.emp.jobqueue.queue.monitor.MonitorRelay;
import io.emp.jobqueue.queue.monitor.MonitorTail;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Monitor notices to the monitor sockets: machine status ({@code machine_status}), worker heartbeats
 * and status changes, admin controls, whichever node produced them. They arrive on this node's event
 * bus: from the whole cluster when the node is clustered, else from this node plus, through the
 * {@link MonitorRelay}, from the Redis monitor stream that every node writes. The SockJS bridge
 * forwards the same addresses to browsers by itself.
 */
final class MonitorFeed {
  /** Address -> the socket message type given to notices that carry none. */
  static final Map<String, String> TYPES = Map.of(
      MonitorNotices.MACHINES, "machine_status",
      MonitorNotices.WORKERS, "worker_heartbeat",
      MonitorNotices.CONTROL, "control");

  private final Vertx vertx;
  private final SessionRegistry registry;
  private final StoreConfig store;
  private final GatewayConfig cfg;
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
  private MonitorRelay relay;

  MonitorFeed(Vertx vertx, SessionRegistry registry, StoreConfig store, GatewayConfig cfg) {
    this.vertx = vertx;
    this.registry = registry;
    this.store = store;
    this.cfg = cfg;
  }

  Future<Void> start() {
    TYPES.forEach((address, type) -> consumers.add(vertx.eventBus().<JsonObject>consumer(address,
        m -> forward(type, m.body()))));
    Future<Void> registered = Future.all(consumers.stream().map(MessageConsumer::completion).toList()).mapEmpty();
    if (vertx.isClustered()) {
      return registered;
    }
    relay = new MonitorRelay(vertx, MonitorTail.create(vertx, store), cfg.relayBlockMs(), cfg.relayRetryMs());
    return registered.compose(v -> relay.start());
  }

  private void forward(String type, JsonObject body) {
    List<WsSession> monitors = registry.monitors();
    if (monitors.isEmpty()) {
      return;
    }
    JsonObject msg = body.containsKey("type") ? body : body.copy().put("type", type);
    WsText text = WsText.of(msg);
    for (WsSession m : monitors) {
      m.send(text);
    }
  }

  Future<Void> stop() {
    Future<Void> unregistered = Future.join(consumers.stream().map(MessageConsumer::unregister).toList())
        .mapEmpty();
    return unregistered.eventually(() -> relay == null ? Future.succeededFuture() : relay.stop());
  }
}
