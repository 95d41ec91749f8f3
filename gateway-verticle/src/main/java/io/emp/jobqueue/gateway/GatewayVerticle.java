package io.emp.jobqueue.gateway;

import io.emp.jobqueue.core.telemetry.ServiceName;
import io.emp.jobqueue.core.http.ReadDeadlines;
import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.queue.QueueClient;
import io.emp.jobqueue.queue.bus.BusTracing;
import io.emp.jobqueue.queue.bus.NodeIdentity;
import io.emp.jobqueue.queue.store.EventTail;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.opentelemetry.api.trace.Tracer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

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
  private final ClusterView cluster;
  private final QueueClient.Options queueOptions;
  private HttpServer server;
  private EventRelay.Each relay;
  private MonitorFeed monitorFeed;
  private SocketEndpoints sockets;
  private SessionRegistry registry;
  private JobAnalytics analytics;

  public GatewayVerticle(GatewayConfig cfg, Telemetry telemetry, StoreConfig store) {
    this(cfg, telemetry, store, null, null);
  }

  /**
   * @param cluster what {@code GET /api/cluster} shows (null: this node alone)
   * @param queueOptions timeouts and retries of requests to the queue (null: one attempt per
   *     {@code queue_timeout_ms}, the single-node default)
   */
  public GatewayVerticle(GatewayConfig cfg, Telemetry telemetry, StoreConfig store, ClusterView cluster,
                         QueueClient.Options queueOptions) {
    this.cfg = cfg;
    this.telemetry = telemetry;
    this.store = store;
    this.cluster = cluster;
    this.queueOptions = queueOptions;
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
    Tracer tracer = telemetry.tracer(ServiceName.API);
    QueueClient queue = new QueueClient(vertx, queueOptions != null ? queueOptions
        : QueueClient.Options.of(cfg.queueTimeoutMs()), BusTracing.of(vertx, tracer));
    // the node config's limits (queue.store.limits), the same the queue nodes read
    JobAccess access = new JobAccess(queue, store.limits());
    registry = new SessionRegistry();
    ClientStreams streams = new ClientStreams(access, registry, cfg.wsMaxSubscriptions());
    analytics = new JobAnalytics(vertx, telemetry.metrics(), telemetry.sampler().policy(), access.queue(), registry);
    relay = EventRelay.each(vertx, EventTail.perShard(vertx, store),
        new Broadcaster(registry, streams, vertx.eventBus(), tracer, telemetry.sampler()).andThen(analytics), cfg);
    sockets = new SocketEndpoints(vertx, cfg, auth, registry, streams, access);
    HttpApi api = new HttpApi(access, auth, relay::running, cfg, analytics.coverage());
    ClusterView view = cluster != null ? cluster : () -> Future.succeededFuture(new JsonObject()
        .put("clustered", vertx.isClustered()).put("node_id", NodeIdentity.of(vertx)).put("members", new JsonArray()
            .add(new JsonObject().put("node_id", NodeIdentity.of(vertx)).put("self", true))));
    monitorFeed = new MonitorFeed(vertx, registry, store, cfg);
    var router = GatewayRouter.create(vertx, cfg, new RequestTracing(tracer, telemetry.config(), telemetry.metrics()),
        api, new TelemetryApi(telemetry, access, api, analytics), sockets, auth, new ControlApi(queue, view, api),
        new BatchApi(access, cfg, analytics.coverage(), api));
    // One frame per message is what browsers send, so the frame limit is the message limit.
    HttpServerOptions opts = new HttpServerOptions().setMaxWebSocketMessageSize(cfg.wsMaxMessageBytes())
        .setMaxWebSocketFrameSize(cfg.wsMaxMessageBytes());
    if (cfg.sendBufferBytes() > 0) {
      opts.setSendBufferSize(cfg.sendBufferBytes());
    }
    return relay.start()
        .compose(v -> monitorFeed.start())
        .compose(v -> ReadDeadlines.createServer(vertx, opts, cfg.timeouts(), router, HttpEdge::bodyTimedOut)
            .invalidRequestHandler(HttpEdge::invalidRequest)
            .listen(cfg.port(), cfg.host())
            // a failed start is not followed by stop(): the relay would outlive the gateway (and warn)
            .recover(err -> relay.stop().eventually(monitorFeed::stop).transform(x -> Future.failedFuture(err))))
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

  /** Open sessions whose flushes are batched (all of them unless Vert.x hid the channel). */
  int flushBatchedSessions() {
    return registry == null ? 0 : registry.flushBatched();
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
    return closed.eventually(() -> relay == null ? Future.succeededFuture() : relay.stop())
        .eventually(() -> monitorFeed == null ? Future.succeededFuture() : monitorFeed.stop());
  }
}
