package io.emp.jobqueue.bench;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A clustered Vert.x on loopback with the launcher's Hazelcast settings (app/Clustering): TCP/IP
 * join with the given members, no multicast, no join wait.
 */
final class BenchCluster {
  private static final Logger HAZELCAST_LOG = Logger.getLogger("com.hazelcast");

  private BenchCluster() {
  }

  static Future<Vertx> join(String name, int port, List<String> members) {
    HAZELCAST_LOG.setLevel(Level.WARNING);
    Logger.getLogger("com.hazelcast.cp.CPSubsystem").setLevel(Level.SEVERE);
    Config cfg = ConfigUtil.loadConfig();
    cfg.setClusterName(name);
    cfg.setProperty("hazelcast.wait.seconds.before.join", "0");
    cfg.setProperty("hazelcast.phone.home.enabled", "false");
    cfg.setProperty("hazelcast.logging.type", "jdk");
    cfg.setProperty("hazelcast.socket.bind.any", "false");
    cfg.getNetworkConfig().setPort(port).setPortAutoIncrement(true);
    cfg.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = cfg.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(members);
    VertxOptions opts = new VertxOptions().setPreferNativeTransport(true)
        .setEventBusOptions(new EventBusOptions().setHost("127.0.0.1").setPort(0));
    return Vertx.builder().with(opts).withClusterManager(new HazelcastClusterManager(cfg)).buildClustered();
  }
}
