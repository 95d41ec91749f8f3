package io.emp.jobqueue.queue.store;

import io.emp.jobqueue.core.model.JobEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;

/**
 * Follows the global job-event stream with {@code XREAD BLOCK} on a connection of its own, so a
 * blocked read never holds a pooled connection that the store's commands need. Callers own the
 * position (the last stream id they handled) and call {@link #readAfter} in a loop; one read at
 * a time. The key shape stays in this module: readers never build Redis keys.
 */
public final class EventTail {
  private final Redis client;
  private final String key;
  private RedisConnection conn;
  private boolean closed;

  private EventTail(Redis client, String key) {
    this.client = client;
    this.key = key;
  }

  public static EventTail create(Vertx vertx, StoreConfig cfg) {
    Redis client = RedisClients.dedicated(vertx, cfg);
    return new EventTail(client, new RedisKeys(cfg.namespace()).events());
  }

  /** The id of the newest entry now in the stream ("0-0" when empty): the position to start live tailing from. */
  public Future<String> lastId() {
    return connection()
        .compose(c -> c.send(Request.cmd(Command.XREVRANGE).arg(key).arg("+").arg("-").arg("COUNT").arg(1)))
        .map(r -> r == null || r.size() == 0 ? "0-0" : r.get(0).get(0).toString())
        .recover(this::dropConnection);
  }

  /**
   * Entries strictly after {@code afterId}, waiting up to {@code blockMs} for the first one;
   * an empty list when none arrived in time. Each event carries its stream id.
   */
  public Future<List<JobEvent>> readAfter(String afterId, long blockMs, int count) {
    return connection()
        .compose(c -> c.send(Request.cmd(Command.XREAD).arg("COUNT").arg(count).arg("BLOCK").arg(blockMs)
            .arg("STREAMS").arg(key).arg(afterId)))
        .map(EventTail::entriesOf)
        .recover(this::dropConnection);
  }

  private static List<JobEvent> entriesOf(Response r) {
    if (r == null || r.size() == 0) {
      return List.of();
    }
    // RESP2: [[stream key, [[id, [field, value, ...]], ...]]]
    return JobQueries.entries(r.get(0).get(1), true);
  }

  private Future<RedisConnection> connection() {
    if (closed) {
      return Future.failedFuture(new IllegalStateException("event tail closed"));
    }
    if (conn != null) {
      return Future.succeededFuture(conn);
    }
    return client.connect().map(c -> {
      conn = c;
      c.exceptionHandler(err -> dropConnection(err));
      return c;
    });
  }

  private <T> Future<T> dropConnection(Throwable err) {
    RedisConnection c = conn;
    conn = null;
    if (c != null) {
      c.close();
    }
    return Future.failedFuture(StoreReplies.mapError(err));
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
