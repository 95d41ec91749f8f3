package io.emp.jobqueue.queue.monitor;

import io.emp.jobqueue.queue.store.RedisClients;
import io.emp.jobqueue.queue.store.RedisKeys;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;

/**
 * Follows the monitor stream with {@code XREAD BLOCK} on a connection of its own (a blocked read
 * must not hold a pooled connection). One read at a time; the caller owns the position.
 */
public final class MonitorTail {
  /** One stored notice: stream id, bus address, the node that produced it, and its body. */
  public record Notice(String id, String address, String origin, JsonObject body) {
  }

  private final Redis client;
  private final String key;
  private RedisConnection conn;
  private boolean closed;

  private MonitorTail(Redis client, String key) {
    this.client = client;
    this.key = key;
  }

  public static MonitorTail create(Vertx vertx, StoreConfig cfg) {
    Redis client = RedisClients.dedicated(vertx, cfg);
    return new MonitorTail(client, new RedisKeys(cfg.namespace()).monitor());
  }

  /** The id of the newest notice now in the stream ("0-0" when empty). */
  public Future<String> lastId() {
    return connection()
        .compose(c -> c.send(Request.cmd(Command.XREVRANGE).arg(key).arg("+").arg("-").arg("COUNT").arg(1)))
        .map(r -> r == null || r.size() == 0 ? "0-0" : r.get(0).get(0).toString())
        .recover(this::dropConnection);
  }

  /** Notices strictly after {@code afterId}, waiting up to {@code blockMs} for the first. */
  public Future<List<Notice>> readAfter(String afterId, long blockMs, int count) {
    return connection()
        .compose(c -> c.send(Request.cmd(Command.XREAD).arg("COUNT").arg(count).arg("BLOCK").arg(blockMs)
            .arg("STREAMS").arg(key).arg(afterId)))
        .map(MonitorTail::noticesOf)
        .recover(this::dropConnection);
  }

  private static List<Notice> noticesOf(Response r) {
    List<Notice> out = new ArrayList<>();
    if (r == null || r.size() == 0) {
      return out;
    }
    // RESP2: [[stream key, [[id, [field, value, ...]], ...]]]
    for (Response e : r.get(0).get(1)) {
      String address = null;
      String origin = null;
      String body = null;
      Response fields = e.get(1);
      for (int i = 0; i + 1 < fields.size(); i += 2) {
        String f = fields.get(i).toString();
        String v = fields.get(i + 1).toString();
        switch (f) {
          case MonitorNotices.F_ADDRESS -> address = v;
          case MonitorNotices.F_ORIGIN -> origin = v;
          case MonitorNotices.F_BODY -> body = v;
          default -> { }
        }
      }
      JsonObject json;
      try {
        json = body == null ? new JsonObject() : new JsonObject(body);
      } catch (RuntimeException notJson) {
        continue;
      }
      if (address != null) {
        out.add(new Notice(e.get(0).toString(), address, origin, json));
      }
    }
    return out;
  }

  private Future<RedisConnection> connection() {
    if (closed) {
      return Future.failedFuture(new IllegalStateException("monitor tail closed"));
    }
    if (conn != null) {
      return Future.succeededFuture(conn);
    }
    return client.connect().map(c -> {
      conn = c;
      c.exceptionHandler(this::dropConnection);
      return c;
    });
  }

  private <T> Future<T> dropConnection(Throwable err) {
    RedisConnection c = conn;
    conn = null;
    if (c != null) {
      c.close();
    }
    return Future.failedFuture(err);
  }

  public Future<Void> close() {
    closed = true;
    RedisConnection c = conn;
    conn = null;
    if (c != null) {
      c.close();
    }
    return client.close();
  }
}
