package io.emp.jobqueue.queue.monitor;

import io.emp.jobqueue.queue.bus.NodeIdentity;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.List;

/**
 * For a node that is not clustered: brings other nodes' monitor notices (machine status, worker
 * heartbeats, controls) from the Redis monitor stream onto this node's own event bus, where the
 * gateway's monitor sockets and SockJS bridge listen. This node's own notices are already on its
 * bus and are skipped. A clustered node needs none of this: the bus itself is cluster-wide.
 * Starts at the stream's end; a Redis error pauses it and it retries from the same position.
 */
public final class MonitorRelay {
  private static final System.Logger LOG = System.getLogger(MonitorRelay.class.getName());
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private final Vertx vertx;
  private final MonitorTail tail;
  private final String self;
  private final long blockMs;
  private final long retryMs;
  private String position;
  private boolean stopped;
  private boolean warned;
  private long relayed;

  public MonitorRelay(Vertx vertx, MonitorTail tail, long blockMs, long retryMs) {
    this.vertx = vertx;
    this.tail = tail;
    this.self = NodeIdentity.of(vertx);
    this.blockMs = blockMs;
    this.retryMs = retryMs;
  }

  /** Resolves the start position and starts the loop; never fails (a Redis error is retried). */
  public Future<Void> start() {
    return tail.lastId()
        .onSuccess(id -> {
          position = id;
          read();
        })
        .onFailure(this::retryLater)
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }

  /** Notices put on this node's bus so far. */
  public long relayed() {
    return relayed;
  }

  private void read() {
    if (stopped) {
      return;
    }
    tail.readAfter(position, blockMs, 200).onSuccess(this::handle).onFailure(this::retryLater);
  }

  private void handle(List<MonitorTail.Notice> notices) {
    warned = false;
    for (MonitorTail.Notice n : notices) {
      if (stopped) {
        return;
      }
      if (!self.equals(n.origin())) {
        JsonObject body = n.json();
        if (body != null) {
          vertx.eventBus().publish(n.address(), body, LOCAL);
          relayed++;
        }
      }
      position = n.id();
    }
    read();
  }

  private void retryLater(Throwable err) {
    if (stopped) {
      return;
    }
    if (!warned) {
      warned = true;
      LOG.log(System.Logger.Level.WARNING, "monitor relay paused, retrying: " + err.getMessage());
    }
    vertx.setTimer(retryMs, t -> {
      if (position == null) {
        start();
      } else {
        read();
      }
    });
  }

  public Future<Void> stop() {
    stopped = true;
    return tail.close();
  }
}
