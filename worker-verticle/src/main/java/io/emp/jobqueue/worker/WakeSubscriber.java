package io.emp.jobqueue.worker;

import io.emp.jobqueue.core.telemetry.RateLimitedLog;
import io.emp.jobqueue.queue.store.RedisClients;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.util.List;

/**
 * Listens on the wake channels of the worker's services over a dedicated connection (a subscribed
 * connection can do nothing else) and calls {@code onWake} per message. A dropped connection is
 * re-established after {@link #RECONNECT_DELAY_MS}; wake-ups missed meanwhile only cost latency,
 * because the claim loop also polls.
 */
public final class WakeSubscriber {
  private static final System.Logger LOG = System.getLogger(WakeSubscriber.class.getName());
  private static final RateLimitedLog WARNINGS = new RateLimitedLog(LOG, "wake subscriber");
  public static final long RECONNECT_DELAY_MS = 1_000;

  private final Vertx vertx;
  private final StoreConfig storeConfig;
  private final List<String> channels;
  private final java.util.function.Consumer<String> onWake;
  private Redis client;
  private RedisConnection conn;
  private boolean stopped;

  /** @param onWake gets each message's payload: the id of the job that was submitted, or "resume" */
  public WakeSubscriber(Vertx vertx, StoreConfig storeConfig, List<String> channels,
                        java.util.function.Consumer<String> onWake) {
    this.vertx = vertx;
    this.storeConfig = storeConfig;
    this.channels = List.copyOf(channels);
    this.onWake = onWake;
  }

  public Future<Void> start() {
    client = RedisClients.dedicated(vertx, storeConfig);
    return connect();
  }

  private Future<Void> connect() {
    return client.connect().compose(c -> {
      conn = c;
      c.handler(this::onMessage);
      c.exceptionHandler(err -> LOG.log(System.Logger.Level.DEBUG, "wake connection error: " + err));
      c.endHandler(v -> reconnectLater());
      Request sub = Request.cmd(Command.SUBSCRIBE);
      channels.forEach(sub::arg);
      return c.send(sub).<Void>mapEmpty();
    }).onSuccess(v -> WARNINGS.recovered("wake subscription is back"))
        .onFailure(err -> {
          WARNINGS.warn("wake subscription failed; polling only until it is back", err);
          reconnectLater();
        });
  }

  private void onMessage(Response r) {
    if (r != null && (r.type() == ResponseType.MULTI || r.type() == ResponseType.PUSH) && r.size() >= 3
        && "message".equals(r.get(0).toString())) {
      onWake.accept(r.get(2).toString());
    }
  }

  private void reconnectLater() {
    if (stopped) {
      return;
    }
    vertx.setTimer(RECONNECT_DELAY_MS, t -> {
      if (!stopped) {
        connect();
      }
    });
  }

  public Future<Void> stop() {
    stopped = true;
    if (conn != null) {
      conn.close();
    }
    if (client != null) {
      client.close();
    }
    return Future.succeededFuture();
  }
}
