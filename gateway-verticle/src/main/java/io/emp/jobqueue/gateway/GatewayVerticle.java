package io.emp.jobqueue.gateway;

import io.emp.jobqueue.core.http.ReadDeadlines;
import io.emp.jobqueue.core.telemetry.Seed;
import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.queue.QueueClient;
import io.emp.jobqueue.queue.store.EventTail;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.opentelemetry.api.trace.Tracer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

/**
 * Lifecycle shell of the gateway: HTTP API, WebSocket endpoints, SockJS bridge and the event
 * relay. The queue is reached over the event bus ({@link QueueClient}); the relay reads the event
 * stream through the queue module's {@link EventTail}, so no Redis key is built here.
 */
public final class GatewayVerticle extends VerticleBase {
  private static final System.Logger LOG = System.getLogger(GatewayVerticle.class.getName());

  private final GatewayConfig cfg;
  private final Telemetry telemetry;
  private final StoreConfig store;
  private HttpServer server;
  private EventRelay relay;
  private SocketEndpoints sockets;
  private SessionRegistry registry;
  private JobAnalytics analytics;

  public GatewayVerticle(GatewayConfig cfg, Telemetry telemetry, StoreConfig store) {
    this.cfg = cfg;
    this.telemetry = telemetry;
    this.store = store;
  }

  @Override
  public Future<?> start() {
    Authenticator auth = new Authenticator(cfg);
    if (auth.disabled()) {
      LOG.log(System.Logger.Level.WARNING, "gateway auth is DISABLED (auth.disabled=true): every caller is admin");
    } else if (!auth.hasKeys()) {
      LOG.log(System.Logger.Level.WARNING, "no API keys configured (" + GatewayConfig.ENV_API_KEYS
          + " or gateway.api_keys): every /api and /ws call will be refused");
    }
    Tracer tracer = telemetry.tracer(Seed.Service.API);
    JobAccess access = new JobAccess(new QueueClient(vertx, cfg.queueTimeoutMs()), cfg.limits());
    registry = new SessionRegistry();
    ClientStreams streams = new ClientStreams(access, registry, cfg.wsMaxSubscriptions());
    analytics = new JobAnalytics(vertx, telemetry.metrics(), telemetry.sampler().policy(), access.queue(), registry);
    relay = new EventRelay(vertx, EventTail.create(vertx, store),
        new Broadcaster(registry, streams, vertx.eventBus(), tracer, telemetry.sampler()).andThen(analytics), cfg);
    sockets = new SocketEndpoints(vertx, cfg, auth, registry, streams, access);
    HttpApi api = new HttpApi(access, auth, relay::running, cfg);
    var router = GatewayRouter.create(vertx, cfg, new RequestTracing(tracer, telemetry.config(), telemetry.metrics()),
        api, new TelemetryApi(telemetry, access, api, analytics), sockets, auth);
    // One frame per message is what browsers send, so the frame limit is the message limit.
    HttpServerOptions opts = new HttpServerOptions().setMaxWebSocketMessageSize(cfg.wsMaxMessageBytes())
        .setMaxWebSocketFrameSize(cfg.wsMaxMessageBytes());
    if (cfg.sendBufferBytes() > 0) {
      opts.setSendBufferSize(cfg.sendBufferBytes());
    }
    return relay.start()
        .compose(v -> ReadDeadlines.createServer(vertx, opts, cfg.timeouts(), router, HttpEdge::bodyTimedOut)
            .invalidRequestHandler(HttpEdge::invalidRequest)
            .listen(cfg.port(), cfg.host())
            // a failed start is not followed by stop(): the relay would outlive the gateway (and warn)
            .recover(err -> relay.stop().transform(x -> Future.failedFuture(err))))
        .onSuccess(s -> {
          server = s;
          sockets.startHeartbeats();
          analytics.start();
          LOG.log(System.Logger.Level.INFO, "gateway listening on " + cfg.host() + ":" + s.actualPort());
        });
  }

  /** The port actually bound (useful with port 0). */
  public int actualPort() {
    return server == null ? -1 : server.actualPort();
  }

  /** Analytics intervals completed (SLA, capacity and anomaly figures are current as of the last one). */
  long analyticsTicks() {
    return analytics == null ? 0 : analytics.ticks();
  }

  /** Open WebSocket sessions (clients and monitors). */
  public int openSessions() {
    return registry == null ? 0 : registry.size();
  }

  @Override
  public Future<?> stop() {
    if (sockets != null) {
      sockets.stop();
    }
    if (analytics != null) {
      analytics.stop();
    }
    Future<Void> closed = server == null ? Future.succeededFuture() : server.close();
    return closed.eventually(() -> relay == null ? Future.succeededFuture() : relay.stop());
  }
}
