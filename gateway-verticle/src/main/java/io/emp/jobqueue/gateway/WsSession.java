package io.emp.jobqueue.gateway;

import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One WebSocket connection. Confined to the gateway verticle's event loop, so it needs no locks.
 * Outbound messages are counted until the socket has flushed them; a client that lets more than
 * the bound pile up is cut off with close code 1013 (try again later) and a reason naming the bound,
 * instead of being buffered without limit: memory per session stays at most the bound's worth of messages.
 */
final class WsSession {
  static final short CLOSE_POLICY = 1008;
  static final short CLOSE_TRY_LATER = 1013;
  static final short CLOSE_GOING_AWAY = 1001;
  static final short CLOSE_TOO_BIG = 1009;

  private final String id = UUID.randomUUID().toString();
  private final ServerWebSocket ws;
  private final boolean monitor;
  private final int maxQueued;
  private final int maxFrameBytes;
  private final boolean flushBatched;
  private final Map<String, Subscription> subscriptions = new HashMap<>();
  private final Runnable onClose;
  private final List<Promise<Void>> drainWaiters = new ArrayList<>();
  private Principal principal;
  private int queued;
  private long lastPongAt;
  private boolean closed;

  /** One handler for every write of this session, not a lambda per message. */
  private final Handler<AsyncResult<Void>> written = ar -> flushed();

  WsSession(ServerWebSocket ws, boolean monitor, int maxQueued, int maxFrameBytes, boolean flushBatched,
            Principal principal, long now, Runnable onClose) {
    this.ws = ws;
    this.monitor = monitor;
    this.maxQueued = maxQueued;
    this.maxFrameBytes = maxFrameBytes;
    this.flushBatched = flushBatched;
    this.principal = principal;
    this.lastPongAt = now;
    this.onClose = onClose;
  }

  String id() {
    return id;
  }

  boolean monitor() {
    return monitor;
  }

  /** Whether this socket's flushes are batched ({@link FlushBatching}); false only if Vert.x hid the channel. */
  boolean flushBatched() {
    return flushBatched;
  }

  Principal principal() {
    return principal;
  }

  void authenticated(Principal p) {
    principal = p;
  }

  Map<String, Subscription> subscriptions() {
    return subscriptions;
  }

  Subscription subscription(String jobId) {
    return subscriptions.get(jobId);
  }

  int queued() {
    return queued;
  }

  boolean isOpen() {
    return !closed;
  }

  void pong(long now) {
    lastPongAt = now;
  }

  long lastPongAt() {
    return lastPongAt;
  }

  ServerWebSocket socket() {
    return ws;
  }

  /**
   * Queues one text message, already encoded (the same bytes may go to many sessions); false when the
   * session is closed or has just been cut off.
   */
  boolean send(WsText text) {
    if (closed) {
      return false;
    }
    if (queued >= maxQueued) {
      close(CLOSE_TRY_LATER, slowConsumerReason(maxQueued));
      return false;
    }
    queued++;
    // Larger than one frame may be: let Vert.x split it into fragments, as writeTextMessage always did.
    Future<Void> write = text.length() <= maxFrameBytes ? ws.writeFrame(text.frame()) : ws.writeTextMessage(text.text());
    write.onComplete(written);
    return true;
  }

  /** The close reason of the slow-consumer cut-off (at most 123 bytes, as a close frame allows). */
  static String slowConsumerReason(int maxQueued) {
    return "slow consumer: more than " + maxQueued + " messages waiting; reconnect (clients resume with last_seq)";
  }

  private void flushed() {
    queued--;
    if (!drainWaiters.isEmpty() && queued <= maxQueued / 2) {
      List<Promise<Void>> ready = List.copyOf(drainWaiters);
      drainWaiters.clear();
      ready.forEach(Promise::tryComplete);
    }
  }

  /** Completes once at most half of the outbound bound is in use, so a replay never floods the socket. */
  Future<Void> drained() {
    if (queued <= maxQueued / 2 || closed) {
      return Future.succeededFuture();
    }
    Promise<Void> p = Promise.promise();
    drainWaiters.add(p);
    return p.future();
  }

  /** The largest burst a replay may write at once without risking the slow-consumer cut-off. */
  int replayBurst() {
    return Math.max(1, maxQueued / 2);
  }

  boolean send(JsonObject message) {
    return send(WsText.of(message));
  }

  void close(short code, String reason) {
    if (closed) {
      return;
    }
    markClosed();
    ws.close(code, reason);
  }

  /** The peer or the network closed the socket. */
  void markClosed() {
    if (!closed) {
      closed = true;
      List<Promise<Void>> waiting = List.copyOf(drainWaiters);
      drainWaiters.clear();
      waiting.forEach(Promise::tryComplete);
      onClose.run();
    }
  }
}
