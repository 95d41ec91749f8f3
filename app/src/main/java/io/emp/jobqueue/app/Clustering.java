package io.emp.jobqueue.app;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.XmlConfigBuilder;
import com.hazelcast.cluster.MembershipEvent;
import io.emp.jobqueue.core.config.ConfigException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.emp.jobqueue.core.metrics.MeteredVertx;
import io.emp.jobqueue.core.metrics.Metrics;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.FileNotFoundException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Joins the clustered event bus. The only class that touches Hazelcast: an unclustered node never
 * loads it (nor any Hazelcast class), so the embedded default starts as fast as before.
 *
 * <p>The Hazelcast settings are conf/cluster.xml (or Vert.x's default), with the node's cluster
 * settings laid over it: cluster name, TCP/IP join with the configured members (multicast and
 * auto-detection off), member port, bound interface, no join wait, fast failure detection.
 */
final class Clustering {
  /** Hazelcast member attribute with the Vert.x node id (set by HazelcastClusterManager). */
  private static final String NODE_ID_ATTRIBUTE = "__vertx.nodeId";
  /** Held, so the level set on it stays (JUL keeps loggers weakly). */
  private static final Logger HAZELCAST_LOG = Logger.getLogger("com.hazelcast");
  private static final Logger CP_LOG = Logger.getLogger("com.hazelcast.cp.CPSubsystem");

  private Clustering() {
  }

  /** A started clustered Vert.x and its cluster manager. */
  record Joined(Vertx vertx, ClusterManager manager) {
  }

  /**
   * Builds a clustered Vert.x; {@code metadata} is this node's entry in the member list (roles,
   * ports); {@code membership} hears (node id, joined?) for every other member that joins or leaves.
   */
  static Future<Joined> start(VertxOptions opts, Metrics metrics, ClusterConfig cc, Path workDir,
                              JsonObject metadata, BiConsumer<String, Boolean> membership) {
    Config hz = hazelcastConfig(cc, workDir);
    quietHazelcast();
    EventBusOptions bus = opts.getEventBusOptions();
    bus.setPort(cc.busPort()).setClusterNodeMetadata(metadata);
    if (cc.host() != null) {
      bus.setHost(cc.host());
    }
    HazelcastClusterManager cm = new HazelcastClusterManager(hz) {
      @Override
      public synchronized void memberAdded(MembershipEvent event) {
        super.memberAdded(event);
        membership.accept(event.getMember().getAttribute(NODE_ID_ATTRIBUTE), true);
      }

      @Override
      public synchronized void memberRemoved(MembershipEvent event) {
        // Vert.x's handling first: it drops the member's event-bus registrations, so a retry goes elsewhere
        super.memberRemoved(event);
        membership.accept(event.getMember().getAttribute(NODE_ID_ATTRIBUTE), false);
      }
    };
    return MeteredVertx.builder(opts, metrics).withClusterManager(cm).buildClustered().map(v -> new Joined(v, cm));
  }

  /** conf/cluster.xml (or Vert.x's default-cluster.xml) with the node's settings on top. */
  static Config hazelcastConfig(ClusterConfig cc, Path workDir) {
    Path file = workDir.resolve(cc.configFile());
    Config cfg;
    if (Files.isRegularFile(file)) {
      try {
        cfg = new XmlConfigBuilder(file.toString()).build();
      } catch (FileNotFoundException e) {
        throw new ConfigException("cannot read the cluster config " + file + ": " + e.getMessage());
      } catch (RuntimeException e) {
        throw new ConfigException("invalid cluster config " + file + ": " + Main.oneLine(e.getMessage()));
      }
    } else {
      cfg = ConfigUtil.loadConfig();
    }
    cfg.setClusterName(cc.name());
    // the first member forms the cluster at once instead of waiting 5 s for others
    cfg.setProperty("hazelcast.wait.seconds.before.join", "0");
    cfg.setProperty("hazelcast.phone.home.enabled", "false");
    cfg.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    cfg.setProperty("hazelcast.max.no.heartbeat.seconds",
        Long.toString(Math.max(2, (cc.memberTimeoutMs() + 999) / 1000)));
    cfg.setProperty("hazelcast.logging.type", "jdk");
    NetworkConfig net = cfg.getNetworkConfig();
    net.setPort(cc.port()).setPortAutoIncrement(true);
    if (cc.host() != null) {
      net.getInterfaces().setEnabled(true).addInterface(address(cc.host()));
      cfg.setProperty("hazelcast.socket.bind.any", "false");
    }
    JoinConfig join = net.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(cc.members());
    return cfg;
  }

  /** Hazelcast's interface setting takes an IP address: a host name is resolved once, at start. */
  private static String address(String host) {
    try {
      return InetAddress.getByName(host).getHostAddress();
    } catch (UnknownHostException e) {
      throw new ConfigException("cluster.host '" + host + "' does not resolve to an address");
    }
  }

  /** Hazelcast logs every member change at INFO; the node logs its own one-line summaries instead. */
  private static void quietHazelcast() {
    if (System.getProperty("java.util.logging.config.file") == null && HAZELCAST_LOG.getLevel() == null) {
      HAZELCAST_LOG.setLevel(Level.WARNING);
      // "CP Subsystem is not enabled": Vert.x uses no CP structure that needs it
      CP_LOG.setLevel(Level.SEVERE);
    }
  }
}
