package io.emp.jobqueue.queue.monitor;

import io.emp.jobqueue.queue.bus.NodeIdentity;
import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.queue.store.RedisKeys;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

/**
 * The monitor plane's sending side: machine status, worker heartbeats and control notices (pause,
 * drain) go to every gateway's monitor sockets and SockJS bridge, whichever node produced them.
 * Each notice is published on the event bus (cluster-wide when the node is clustered) and appended
 * to a capped Redis stream; gateways of unclustered nodes, which share only Redis, follow that
 * stream ({@link MonitorRelay}). Best effort: a monitor notice that fails to reach Redis is logged,
 * never retried (the next status or heartbeat supersedes it).
 */
public final class MonitorNotices {
  /** Machine status events (update_type initial, periodic, event_driven, machine_ready, shutdown). */
  public static final String MACHINES = "emp.monitor.machines";
  /** Worker heartbeats (per machine heartbeat) and worker status changes (paused, draining). */
  public static final String WORKERS = "emp.monitor.workers";
  /** Admin controls: a service paused or resumed, a machine asked to drain (who, when). */
  public static final String CONTROL = "emp.monitor.control";
  /** Entries kept in the Redis stream: enough for every gateway to catch up after a short stall. */
  public static final int STREAM_MAX_LEN = 1_000;

  static final String F_ADDRESS = "address";
  static final String F_ORIGIN = "origin";
  static final String F_BODY = "body";
  private static final System.Logger LOG = System.getLogger(MonitorNotices.class.getName());

  private final Vertx vertx;
  private final Redis redis;
  private final String stream;
  private final String origin;

  public MonitorNotices(Vertx vertx, Redis redis, RedisKeys keys) {
    this.vertx = vertx;
    this.redis = redis;
    this.stream = keys.monitor();
    this.origin = NodeIdentity.of(vertx);
  }

  public static MonitorNotices of(Vertx vertx, JobStore store) {
    return new MonitorNotices(vertx, store.redis(), store.keys());
  }

  /** Publishes {@code body} on {@code address} and records it in the monitor stream. */
  public Future<Void> publish(String address, JsonObject body) {
    vertx.eventBus().publish(address, body);
    return redis.send(Request.cmd(Command.XADD).arg(stream).arg("MAXLEN").arg("~").arg(STREAM_MAX_LEN).arg("*")
            .arg(F_ADDRESS).arg(address).arg(F_ORIGIN).arg(origin).arg(F_BODY).arg(body.encode()))
        .<Void>mapEmpty()
        .onFailure(err -> LOG.log(System.Logger.Level.DEBUG, "monitor notice not stored: " + err.getMessage()));
  }
}
