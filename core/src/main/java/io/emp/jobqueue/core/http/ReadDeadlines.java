package io.emp.jobqueue.core.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Enforces the read deadlines of {@link HttpTimeouts} on an HTTP/1.x server (cleartext HTTP/2 is off). Vert.x has an idle
 * timeout but no deadline for a request head or body, and a client trickling one byte at a time is
 * never idle. Each connection is looked at every quarter deadline: waiting for a head longer than
 * the header deadline closes it; a body still incomplete after the body deadline gets
 * {@code onBodyTimeout}'s answer (408) and then the connection is closed. A connection upgraded to
 * a WebSocket is left to the idle timeout and the WebSocket heartbeats.
 */
public final class ReadDeadlines {
  private static final System.Logger LOG = System.getLogger(ReadDeadlines.class.getName());

  private final Vertx vertx;
  private final HttpTimeouts timeouts;
  private final Handler<HttpServerRequest> onBodyTimeout;
  private final long tickMs;
  private final Map<HttpConnection, Watch> watched = new ConcurrentHashMap<>();

  private ReadDeadlines(Vertx vertx, HttpTimeouts timeouts, Handler<HttpServerRequest> onBodyTimeout) {
    this.vertx = vertx;
    this.timeouts = timeouts;
    this.onBodyTimeout = onBodyTimeout;
    this.tickMs = Math.max(10, Math.min(timeouts.headerTimeoutMs(), timeouts.bodyTimeoutMs()) / 4);
  }

  /**
   * A server with the idle timeout set and the read deadlines watched; {@code requests} handles
   * every request, {@code onBodyTimeout} writes the answer to a request whose body came too late
   * (the connection is closed after it).
   */
  public static HttpServer createServer(Vertx vertx, HttpServerOptions options, HttpTimeouts timeouts,
                                        Handler<HttpServerRequest> requests,
                                        Handler<HttpServerRequest> onBodyTimeout) {
    ReadDeadlines d = new ReadDeadlines(vertx, timeouts, onBodyTimeout);
    // Without cleartext HTTP/2 the connection exists from the first byte; with it, Vert.x first waits to
    // tell an h2c preface from HTTP/1.x and reports the connection only at its first complete request.
    HttpServerOptions o = timeouts.applyTo(new HttpServerOptions(options)).setHttp2ClearTextEnabled(false);
    return vertx.createHttpServer(o)
        .connectionHandler(d::opened)
        .requestHandler(req -> {
          d.started(req);
          requests.handle(req);
        });
  }

  private final class Watch {
    final HttpConnection conn;
    final long timer;
    HttpServerRequest current;
    long requestAt;
    long waitingSince;

    Watch(HttpConnection conn, long now) {
      this.conn = conn;
      this.waitingSince = now;
      this.timer = vertx.setPeriodic(tickMs, t -> check(this));
    }
  }

  private void opened(HttpConnection conn) {
    Watch w = new Watch(conn, System.currentTimeMillis());
    watched.put(conn, w);
    conn.closeHandler(v -> forget(w));
  }

  private void started(HttpServerRequest req) {
    Watch w = watched.get(req.connection());
    if (w != null) {
      w.current = req;
      w.requestAt = System.currentTimeMillis();
      w.waitingSince = -1;
    }
  }

  private void check(Watch w) {
    long now = System.currentTimeMillis();
    HttpServerRequest r = w.current;
    if (r != null && r.response().getStatusCode() == 101) {
      // Upgraded to a WebSocket: the HTTP connection object is retired and never reports its close.
      forget(w);
    } else if (r == null || (r.isEnded() && r.response().ended())) {
      if (w.waitingSince < 0) {
        w.waitingSince = now; // the exchange ended at most one tick ago
      }
      if (now - w.waitingSince >= timeouts.headerTimeoutMs()) {
        LOG.log(System.Logger.Level.DEBUG, "closing a connection without a complete request head for "
            + (now - w.waitingSince) + " ms");
        close(w);
      }
    } else if (!r.isEnded() && now - w.requestAt >= timeouts.bodyTimeoutMs()) {
      LOG.log(System.Logger.Level.DEBUG, "request body incomplete after " + (now - w.requestAt) + " ms");
      try {
        if (!r.response().headWritten()) {
          onBodyTimeout.handle(r);
        }
      } finally {
        close(w);
      }
    }
    // else: the server is still answering a complete request; that is not the client's deadline
  }

  private void close(Watch w) {
    forget(w);
    w.conn.close();
  }

  private void forget(Watch w) {
    vertx.cancelTimer(w.timer);
    watched.remove(w.conn, w);
  }
}
