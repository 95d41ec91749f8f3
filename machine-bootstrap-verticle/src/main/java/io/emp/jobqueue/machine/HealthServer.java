package io.emp.jobqueue.machine;

import io.emp.jobqueue.core.http.HttpTimeouts;
import io.emp.jobqueue.core.http.ReadDeadlines;
import io.emp.jobqueue.core.metrics.Metrics;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * The machine's own endpoints: {@code /health} (the process is up), {@code /ready} (started, and
 * every supervised service healthy: 200, else 503), {@code /status} (the status document) and
 * {@code /metrics} (the node's registry: a machine-only node has no gateway to serve it).
 * Connections are held to the read deadlines of {@link HttpTimeouts} like the gateway's.
 */
public final class HealthServer {
  private final HttpServer server;

  private HealthServer(HttpServer server) {
    this.server = server;
  }

  public static Future<HealthServer> start(Vertx vertx, String host, int port, HttpTimeouts timeouts,
                                           MachineBootstrap machine) {
    return start(vertx, host, port, timeouts, machine, Metrics.disabled());
  }

  public static Future<HealthServer> start(Vertx vertx, String host, int port, HttpTimeouts timeouts,
                                           MachineBootstrap machine, Metrics metrics) {
    Router router = Router.router(vertx);
    router.get("/metrics").handler(ctx -> {
      Metrics.Scrape s = metrics.scrape(ctx.request().getHeader("Accept"));
      if (s == null) {
        ctx.response().setStatusCode(404).end();
        return;
      }
      ctx.response().putHeader("Content-Type", s.contentType()).end(Buffer.buffer(s.body()));
    });
    router.get("/health").handler(ctx -> ctx.json(new JsonObject().put("status", "ok")));
    router.get("/ready").handler(ctx -> {
      boolean ready = machine.ready();
      ctx.response().setStatusCode(ready ? 200 : 503);
      ctx.json(new JsonObject().put("ready", ready));
    });
    router.get("/status").handler(ctx -> ctx.json(machine.status(StatusUpdate.EVENT_DRIVEN)));
    return ReadDeadlines.createServer(vertx, new HttpServerOptions(), timeouts, router, req -> req.response()
            .setStatusCode(408).putHeader("Content-Type", "application/json").putHeader("Connection", "close")
            .end(new JsonObject().put("error", "request_timeout").toBuffer()))
        .listen(port, host).map(HealthServer::new);
  }

  public int port() {
    return server.actualPort();
  }

  public Future<Void> close() {
    return server.close();
  }
}
