package io.emp.jobqueue.queue.store;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The store's commands, pipelined: each event-loop thread sends on one connection of its own and
 * does not wait for a reply before the next command. The pooled client sends one command per
 * connection at a time, so every command cost Redis a read and a write system call and the
 * caller a connection hand-off; with many callers in flight Redis now reads several commands per
 * call and answers them in one write (issue 16: lifecycles/s fell 11 % from 8 to 64 callers).
 *
 * <p>{@link #connect()} and {@link #batch} still use the pool: a caller that needs a connection of
 * its own (WAIT counts one connection's writes; a batch of submits) must not share it. A connection
 * that fails or ends is forgotten and the next command opens another; the commands in flight on it
 * fail, as they did on a pooled connection, and the store maps that to "unavailable". A connection
 * with its reply queue full sends the command through the pool instead.
 */
final class PipelinedRedis implements Redis {
  /** Callers that are not on an event loop (tests, the benchmark's main thread) share one connection. */
  private static final Object OFF_LOOP = new Object();

  private final Redis pool;
  private final Redis source;
  private final Map<Object, Future<RedisConnection>> connections = new ConcurrentHashMap<>();
  private final AtomicLong opened = new AtomicLong();
  private volatile boolean closed;

  /**
   * @param pool   the store's pooled client
   * @param source where the pipelined connections come from: a client of their own, so that holding
   *               one connection per event loop never takes a connection the pool's callers wait for
   */
  PipelinedRedis(Redis pool, Redis source) {
    this.pool = pool;
    this.source = source;
  }

  @Override
  public Future<Response> send(Request request) {
    // a connection holds at most the client's max_waiting_handlers replies in flight; past that the
    // command waits for a pooled connection as every command did before
    Object key = loopKey();
    return connection(key).compose(c -> c.pendingQueueFull() ? pool.send(request) : c.send(request)
        .onFailure(err -> {
          if (StoreReplies.demoted(err)) {
            // a demoted master keeps its clients unless a sentinel kills them: drop this one so the
            // next command asks the topology again instead of hitting READONLY until it is cut
            forget(key, c);
          }
        }));
  }

  private static Object loopKey() {
    return Context.isOnEventLoopThread() && Vertx.currentContext() != null ? Thread.currentThread() : OFF_LOOP;
  }

  private void forget(Object key, RedisConnection c) {
    Future<RedisConnection> f = connections.get(key);
    if (f != null && f.succeeded() && f.result() == c && connections.remove(key, f)) {
      c.close();
    }
  }

  private Future<RedisConnection> connection(Object key) {
    if (closed) {
      return Future.failedFuture(new IllegalStateException("the store is closed"));
    }
    Future<RedisConnection> f = connections.get(key);
    if (f != null && !f.failed()) {
      return f;
    }
    // named, so CLIENT LIST shows which connections carry pipelines (and a replaced one is visible);
    // best effort: a server or ACL that refuses the name still gets the commands
    Future<RedisConnection> opening = source.connect().compose(c -> c.send(Request.cmd(Command.CLIENT).arg("SETNAME")
        .arg("emp-pipeline-" + opened.incrementAndGet())).map(c).otherwise(c));
    Future<RedisConnection> prev = f == null ? connections.putIfAbsent(key, opening)
        : (connections.replace(key, f, opening) ? null : connections.get(key));
    if (prev != null && prev != f) {
      // another command of this loop opened one first: use it, close ours when it comes
      opening.onSuccess(RedisConnection::close);
      return prev;
    }
    opening.onSuccess(c -> {
      Runnable forget = () -> connections.remove(key, opening);
      c.exceptionHandler(err -> forget.run());
      c.endHandler(v -> forget.run());
      if (closed) {
        c.close();
      }
    }).onFailure(err -> connections.remove(key, opening));
    return opening;
  }

  @Override
  public Future<RedisConnection> connect() {
    return pool.connect();
  }

  @Override
  public Future<List<Response>> batch(List<Request> requests) {
    return pool.batch(requests);
  }

  @Override
  public Future<Void> close() {
    closed = true;
    connections.values().forEach(f -> f.onSuccess(RedisConnection::close));
    connections.clear();
    return Future.all(pool.close(), source.close()).mapEmpty();
  }
}
