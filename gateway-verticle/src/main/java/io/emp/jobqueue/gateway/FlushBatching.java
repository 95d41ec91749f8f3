package io.emp.jobqueue.gateway;

import io.netty.channel.Channel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Several WebSocket messages per flush (one syscall) under load. Vert.x flushes every write made
 * outside a read of that same connection, and broadcasts are made while reading Redis, so a monitor
 * receiving 10,000 events/s cost 10,000 flushes/s. Netty's {@link FlushConsolidationHandler} defers
 * those flushes to the end of the current event-loop task (a whole relay batch), or flushes after
 * {@link #writesPerFlush} of them, whichever comes first; each message is still its own frame.
 */
final class FlushBatching {
  static final String HANDLER = "emp-flush-batching";
  /** Netty's default. Also never more than a quarter of the slow-consumer bound, so unflushed writes cannot trip it. */
  static final int MAX_WRITES_PER_FLUSH = 256;

  private FlushBatching() {
  }

  /** Writes allowed between flushes for a socket bounded at {@code maxQueued} messages. */
  static int writesPerFlush(int maxQueued) {
    return Math.max(1, Math.min(MAX_WRITES_PER_FLUSH, maxQueued / 4));
  }

  /**
   * The channel under an HTTP/1.x connection, taken before the upgrade (the WebSocket keeps the
   * channel); null where Vert.x gives no access, and then writes are simply flushed one by one.
   */
  static Channel channelOf(HttpConnection conn) {
    return conn instanceof ConnectionBase c ? c.channel() : null;
  }

  /** Installs the consolidation on an upgraded WebSocket channel (idempotent); true when it is in place. */
  static boolean install(Channel ch, int maxQueued) {
    if (ch == null || !ch.isActive()) {
      return false;
    }
    if (ch.pipeline().get(HANDLER) == null) {
      ch.pipeline().addFirst(HANDLER, new FlushConsolidationHandler(writesPerFlush(maxQueued), true));
    }
    return true;
  }
}
