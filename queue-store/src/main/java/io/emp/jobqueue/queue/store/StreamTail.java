package io.emp.jobqueue.queue.store;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.function.Function;

/**
 * Follows one Redis stream with {@code XREAD BLOCK} on a connection of its own, so a blocked read
 * never holds a pooled connection that the store's commands need. Callers own the position (the
 * last stream id they handled) and call {@link #readAfter} in a loop, one read at a time. A broken
 * connection is dropped and the next read opens a new one.
 *
 * @param <T> what one entry is read into ({@link EventTail}: job events; the monitor tail: notices)
 */
public class StreamTail<T> {
  private final Redis client;
  private final String key;
  private final String name;
  /** Reads the entries of one XREAD answer's stream: [[id, [field, value, ...]], ...] (RESP2). */
  private final Function<Response, List<T>> entries;
  private RedisConnection conn;
  private boolean closed;

  protected StreamTail(Redis client, String key, String name, Function<Response, List<T>> entries) {
    this.client = client;
    this.key = key;
    this.name = name;
    this.entries = entries;
  }

  /** The id of the newest entry now in the stream ("0-0" when empty): the position to start live tailing from. */
  public Future<String> lastId() {
    return connection()
        .compose(c -> c.send(Request.cmd(Command.XREVRANGE).arg(key).arg("+").arg("-").arg("COUNT").arg(1)))
        .map(r -> r == null || r.size() == 0 ? "0-0" : r.get(0).get(0).toString())
        .recover(this::dropConnection);
  }

  /** Entries strictly after {@code afterId}, waiting up to {@code blockMs} for the first; empty when none came. */
  public Future<List<T>> readAfter(String afterId, long blockMs, int count) {
    return connection()
        .compose(c -> c.send(Request.cmd(Command.XREAD).arg("COUNT").arg(count).arg("BLOCK").arg(blockMs)
            .arg("STREAMS").arg(key).arg(afterId)))
        // RESP2: [[stream key, [[id, [field, value, ...]], ...]]]
        .map(r -> r == null || r.size() == 0 ? List.<T>of() : entries.apply(r.get(0).get(1)))
        .recover(this::dropConnection);
  }

  private Future<RedisConnection> connection() {
    if (closed) {
      return Future.failedFuture(new IllegalStateException(name + " closed"));
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

  private <R> Future<R> dropConnection(Throwable err) {
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
