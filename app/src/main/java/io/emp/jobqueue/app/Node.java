package io.emp.jobqueue.app;

import io.emp.jobqueue.core.metrics.MeteredVertx;
import io.emp.jobqueue.core.metrics.Metrics;
import io.emp.jobqueue.core.metrics.MetricsConfig;
import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.core.telemetry.TelemetryConfig;
import io.emp.jobqueue.gateway.GatewayConfig;
import io.emp.jobqueue.gateway.GatewayVerticle;
import io.emp.jobqueue.machine.MachineBootstrapVerticle;
import io.emp.jobqueue.machine.MachineConfig;
import io.emp.jobqueue.machine.VerticleWorkerDeployer;
import io.emp.jobqueue.queue.QueueClient;
import io.emp.jobqueue.queue.QueueConfig;
import io.emp.jobqueue.queue.QueueVerticle;
import io.emp.jobqueue.queue.bus.NodeIdentity;
import io.emp.jobqueue.queue.control.Controls;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.emp.jobqueue.worker.WorkerVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * One running node: a Vert.x instance (clustered with --cluster) with the verticles of its roles.
 * Wiring only; the Hazelcast part is {@link Clustering}, loaded only when the node is clustered.
 */
final class Node {
  private static final System.Logger LOG = System.getLogger(Node.class.getName());

  private final Vertx vertx;
  private final Telemetry telemetry;
  private final Map<String, String> env;
  private final boolean devKey;
  private final ClusterManager cluster;
  private final ClusterConfig clusterCfg;
  private final ClusterMembers members;
  private final List<String> lines = new ArrayList<>();
  private GatewayVerticle gateway;
  private MachineBootstrapVerticle machine;
  private SlotWorkers workers;
  private Supplier<NodeConfig> reloader;

  private Node(Vertx vertx, Telemetry telemetry, Map<String, String> env, boolean devKey, ClusterManager cluster,
               ClusterConfig clusterCfg, long startedAt) {
    this.vertx = vertx;
    this.telemetry = telemetry;
    this.env = env;
    this.devKey = devKey;
    this.cluster = cluster;
    this.clusterCfg = clusterCfg;
    this.members = new ClusterMembers(vertx, cluster, clusterCfg, startedAt);
  }

  /** {@code devKey}: the gateway's only key is the generated one in data/dev-api-key (the banner's curl reads it). */
  static Future<Node> start(NodeConfig cfg, Map<String, String> env, boolean devKey) {
    return start(cfg, env, devKey, null);
  }

  /**
   * @param reloader reads the node config again (a reload control or SIGHUP re-applies the worker
   *     section); null: reloads are refused
   */
  static Future<Node> start(NodeConfig cfg, Map<String, String> env, boolean devKey, Supplier<NodeConfig> reloader) {
    TelemetryConfig tc = telemetryConfig(cfg);
    ClusterConfig cc = cfg.cluster();
    VertxOptions opts = new VertxOptions().setPreferNativeTransport(true);
    // one registry per node: Vert.x's meters and the application's, served by /metrics
    Metrics metrics = Metrics.prometheus(MetricsConfig.from(cfg.section("metrics")));
    Telemetry telemetry = Telemetry.create(tc, List.of(), metrics);
    long startedAt = System.currentTimeMillis();
    Future<Node> created;
    if (cc.enabled()) {
      AtomicReference<Vertx> joined = new AtomicReference<>();
      created = Clustering.start(opts, metrics, cc, Path.of(""), ClusterMembers.metadata(cfg, startedAt), (id, added) -> {
        LOG.log(System.Logger.Level.INFO, "cluster " + cc.name() + ": member " + id + (added ? " joined" : " left"));
        Vertx v = joined.get();
        if (!added && v != null) {
          // requests in flight to it fail fast and go to another member (QueueClient)
          v.eventBus().publish(Controls.MEMBER_LEFT, new JsonObject().put("node_id", id),
              new DeliveryOptions().setLocalOnly(true));
        }
      }).map(j -> {
        joined.set(j.vertx());
        NodeIdentity.register(j.vertx(), j.manager().getNodeId());
        return new Node(j.vertx(), telemetry, env, devKey, j.manager(), cc, startedAt);
      });
    } else {
      created = Future.succeededFuture(new Node(MeteredVertx.create(opts, metrics), telemetry, env, devKey, null, cc, startedAt));
    }
    return created
        .recover(err -> {
          telemetry.close();
          return Future.failedFuture(err);
        })
        .compose(node -> {
          node.reloader = reloader;
          return node.deployRoles(cfg).map(node).recover(err -> node.stop().transform(x -> Future.failedFuture(err)));
        });
  }

  /**
   * The node's telemetry settings: the "telemetry" section, plus, on a machine node, its machine id
   * and its profile's telemetry section (exporter, otel.* overrides), which must be known before the
   * SDK is built. Reads the profile file on the calling (main) thread, before Vert.x starts.
   */
  static TelemetryConfig telemetryConfig(NodeConfig cfg) {
    TelemetryConfig tc = TelemetryConfig.from(cfg.section("telemetry"));
    JsonObject m = cfg.section("machine");
    if (!cfg.roles().contains(NodeConfig.Role.MACHINE)) {
      String id = m.getString("machine_id");
      return id == null ? tc : tc.withMachineId(id);
    }
    JsonObject section = machineSection(cfg);
    var profile = io.emp.jobqueue.machine.MachineProfiles.load(
        Path.of(section.getString("profiles_dir", "conf/machines")),
        section.getString("profile", MachineConfig.DEFAULT_PROFILE));
    return MachineConfig.from(section, profile).telemetryConfig(tc);
  }

  private Future<Void> deployRoles(NodeConfig cfg) {
    Future<Void> chain = Future.succeededFuture();
    if (cluster != null) {
      chain = chain.compose(v -> members.describe(cfg).onSuccess(c -> lines.add("Cluster        " + clusterCfg.name()
          + ": node " + cluster.getNodeId() + ", " + c.getJsonArray("members").size() + " member(s); event bus "
          + members.busAddress() + ", Hazelcast port " + clusterCfg.port() + "+")).<Void>mapEmpty());
    }
    if (cfg.runsQueue()) {
      chain = chain.compose(v -> deployQueue(cfg));
    } else if (cfg.roles().contains(NodeConfig.Role.API)) {
      chain = chain.andThen(v -> lines.add("Queue          on the cluster's queue nodes (this node has no queue role)"));
    }
    if (cfg.roles().contains(NodeConfig.Role.API)) {
      chain = chain.compose(v -> deployApi(cfg));
    }
    if (cfg.roles().contains(NodeConfig.Role.MACHINE)) {
      chain = chain.compose(v -> deployMachine(cfg)).compose(v -> vertx.eventBus()
          .<JsonObject>consumer(Controls.RELOAD, m -> reload(m.body().getString("by", "unknown"))).completion());
    }
    return chain;
  }

  private Future<Void> deployQueue(NodeConfig cfg) {
    QueueConfig queue = QueueConfig.from(cfg.section("queue"));
    // without the gateway, nothing else tells this node's tail sampler how jobs end
    boolean followOutcomes = !cfg.roles().contains(NodeConfig.Role.API);
    return vertx.deployVerticle(new QueueVerticle(queue, telemetry, followOutcomes)).onSuccess(id -> {
      if (!cfg.roles().contains(NodeConfig.Role.API)) {
        lines.add("Queue          serving " + (cluster != null ? "the cluster" : "this node")
            + " (namespace " + queue.store().namespace() + ")");
      }
    }).mapEmpty();
  }

  /**
   * Re-reads the node config and applies its worker section to this node's workers: the settings
   * that can change live do (docs/deploy.md lists them), the others are logged as needing a restart.
   */
  Future<List<WorkerVerticle.Reconfigured>> reload(String by) {
    if (reloader == null || workers == null) {
      return Future.failedFuture(new IllegalStateException("this node has no workers to reload"));
    }
    return vertx.executeBlocking(reloader::get, false)
        .compose(fresh -> workers.reload(fresh.section("worker")))
        .onSuccess(done -> LOG.log(System.Logger.Level.INFO, "reloaded worker settings (asked by " + by + "): "
            + done.stream().filter(WorkerVerticle.Reconfigured::worker).count() + "/" + done.size()
            + " worker(s) updated; connectors updated live: "
            + done.stream().filter(WorkerVerticle.Reconfigured::connector).map(WorkerVerticle.Reconfigured::workerId)
                .toList()
            + "; other connectors and any capability change apply after a restart"))
        .onFailure(err -> LOG.log(System.Logger.Level.WARNING, "reload asked by " + by + " failed, settings unchanged: "
            + Main.oneLine(err.getMessage())));
  }

  static StoreConfig store(NodeConfig cfg) {
    return StoreConfig.from(cfg.section("queue").getJsonObject("store", new JsonObject()));
  }

  private Future<Void> deployApi(NodeConfig cfg) {
    QueueConfig queue = QueueConfig.from(cfg.section("queue"));
    GatewayConfig gw = GatewayConfig.from(cfg.section("gateway"), env);
    // clustered: a safe request to a queue node that does not answer in time is tried on another
    QueueClient.Options options = cluster == null ? QueueClient.Options.of(gw.queueTimeoutMs())
        : new QueueClient.Options(gw.queueTimeoutMs(), Math.min(gw.queueTimeoutMs(),
            clusterCfg.requestAttemptTimeoutMs()), QueueClient.DEFAULT_RETRY_DELAY_MS);
    gateway = new GatewayVerticle(gw, telemetry, queue.store(), () -> members.describe(cfg), options);
    return vertx.deployVerticle(gateway)
        .recover(err -> Future.failedFuture(listenError(err, "the HTTP API", gw.host(), gw.port(),
            "choose another with --port or EMP_HTTP_PORT")))
        .onSuccess(id -> {
          String base = "http://" + displayHost(gw.host()) + ":" + gateway.actualPort();
          lines.add("HTTP API       " + base + "/api/jobs");
          lines.add("WebSocket      " + base.replace("http", "ws") + "/ws   (monitor: /ws/monitor)");
          lines.add("Health         " + base + "/health  " + base + "/ready");
          lines.add("Traces         " + base + "/api/traces?job_id=<id>");
          lines.add("Metrics        " + base + "/metrics   (SLA: /api/sla, capacity: /api/capacity)");
          lines.add("Monitor page   " + base + "/monitor   (admin key" + (devKey ? ": " + DevKey.file(cfg.dataDir()) : "")
              + ")");
          lines.add("");
          lines.add("Submit a job:");
          lines.add("  curl -s -X POST " + base + "/api/jobs -H 'Content-Type: application/json' \\");
          // with configured keys there is no key file to read: the user pastes one of theirs
          lines.add("    -H \"Authorization: Bearer " + (devKey ? "$(cat " + DevKey.file(cfg.dataDir()) + ")"
              : "<your API key>") + "\" \\");
          lines.add("    -d '{\"service_required\":\"simulation\",\"priority\":50,\"payload\":{\"steps\":5}}'");
        })
        .mapEmpty();
  }

  /**
   * The "machine" section as the launcher completes it: the host name as the default machine id, and
   * the health server on the node's one host setting ({@code gateway.host}, {@code EMP_HTTP_HOST})
   * unless {@code machine.health_host} names its own.
   */
  static JsonObject machineSection(NodeConfig cfg) {
    JsonObject section = cfg.section("machine").copy();
    if (section.getString("machine_id") == null) {
      section.put("machine_id", defaultMachineId());
    }
    if (section.getString("health_host") == null) {
      section.put("health_host", cfg.section("gateway").getString("host", GatewayConfig.DEFAULT_HOST));
    }
    return section;
  }

  private Future<Void> deployMachine(NodeConfig cfg) {
    JsonObject section = machineSection(cfg);
    StoreConfig store = store(cfg);
    section.put("store", cfg.section("queue").getJsonObject("store", new JsonObject()));
    Path profiles = Path.of(section.getString("profiles_dir", "conf/machines"));
    workers = new SlotWorkers(vertx, cfg.section("worker"), telemetry, store, env);
    return MachineConfig.load(vertx, section, profiles).compose(mc -> {
      machine = new MachineBootstrapVerticle(mc, telemetry, new VerticleWorkerDeployer(vertx, workers::create));
      return vertx.deployVerticle(machine).recover(err -> Future.failedFuture(listenError(err,
          "the machine health server", mc.healthHost(), mc.healthPort(), "choose another with machine.health_port")))
          .onSuccess(id -> lines.add(0, "Machine        " + mc.machineId()
          + " (profile " + mc.profile().name() + ", workers " + mc.profile().workers() + ")"));
    }).mapEmpty();
  }

  /**
   * "Address already in use" (java.net.BindException, or Netty's native bind error) says neither
   * which server nor which port: the user gets both, and what to change.
   */
  static Throwable listenError(Throwable err, String server, String host, int port, String fix) {
    String msg = String.valueOf(err.getMessage());
    if (err instanceof java.net.BindException || msg.contains("Address already in use")) {
      return new IllegalStateException(server + " cannot listen on " + host + ":" + port
          + ": address already in use (" + fix + ")", err);
    }
    return err;
  }

  /** The host name, made safe for ids; a machine is the same machine across restarts. */
  static String defaultMachineId() {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      host = "local";
    }
    String id = host.replaceAll("[^A-Za-z0-9_.\\-]", "-");
    return id.isEmpty() || !Character.isLetterOrDigit(id.charAt(0)) ? "machine-" + id : id;
  }

  private static String displayHost(String host) {
    return "0.0.0.0".equals(host) ? "127.0.0.1" : host;
  }

  List<String> lines() {
    return lines;
  }

  /** The machine's bound health port, -1 without the machine role. */
  int healthPort() {
    return machine == null ? -1 : machine.machine().healthPort();
  }

  boolean nativeTransport() {
    return vertx.isNativeTransportEnabled();
  }

  /** Undeploys every verticle (workers drain and hand back their jobs), then flushes telemetry. */
  Future<Void> stop() {
    return vertx.close().eventually(() -> {
      telemetry.close();
      return Future.succeededFuture();
    });
  }
}
