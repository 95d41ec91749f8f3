package io.emp.jobqueue.app;

import io.emp.jobqueue.core.config.ConfigException;
import io.emp.jobqueue.core.config.ConfigSection;
import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.List;

/**
 * The "cluster" section: whether the node joins a clustered event bus (Hazelcast, TCP/IP member
 * discovery, no multicast) and how. Off by default: the embedded single-JVM node never touches
 * Hazelcast.
 *
 * @param name cluster name: only members with the same name join each other, so unrelated
 *     deployments on one network stay apart (default {@code emp-<queue namespace>})
 * @param host address this node binds and advertises (Hazelcast and event bus); null lets Hazelcast
 *     pick an interface
 * @param port Hazelcast member port (the next free one above it when taken)
 * @param members where to look for other members: "host" or "host:port" entries (default: host, or 127.0.0.1)
 * @param busPort event-bus TCP port (0: any free port; set one where a firewall needs to know it)
 * @param memberTimeoutMs a member silent this long is removed (kill -9 is noticed sooner: its
 *     connections close)
 * @param requestAttemptTimeoutMs one attempt of a safe request to a queue node before it is tried on another
 * @param configFile the Hazelcast XML laid under these settings (absent: Vert.x's default)
 */
record ClusterConfig(boolean enabled, String name, String host, int port, List<String> members, int busPort,
                     long memberTimeoutMs, long requestAttemptTimeoutMs, String configFile) {
  static final int DEFAULT_PORT = 5701;
  static final int DEFAULT_BUS_PORT = 0;
  static final long DEFAULT_MEMBER_TIMEOUT_MS = 10_000;
  static final long DEFAULT_REQUEST_ATTEMPT_TIMEOUT_MS = 3_000;
  static final String DEFAULT_CONFIG_FILE = "conf/cluster.xml";

  ClusterConfig {
    if (name == null || !name.matches("[A-Za-z0-9_.\\-]{1,100}")) {
      throw new ConfigException("cluster.name must be 1-100 of [A-Za-z0-9_.-]: " + name);
    }
    if (port < 1 || port > 65_535 || busPort < 0 || busPort > 65_535) {
      throw new ConfigException("cluster.port must be within 1..65535 and cluster.bus_port within 0..65535");
    }
    if (memberTimeoutMs < 1_000 || requestAttemptTimeoutMs < 10) {
      throw new ConfigException("cluster.member_timeout_ms must be >= 1000 and request_attempt_timeout_ms >= 10");
    }
    members = List.copyOf(members);
  }

  /** Reads the section; {@code namespace} (queue.store.namespace) names the cluster by default. */
  static ClusterConfig from(ConfigSection c, String namespace) {
    String host = c.getString("host");
    List<String> members = members(c);
    if (members.isEmpty()) {
      members = List.of(host != null ? host : "127.0.0.1");
    }
    return new ClusterConfig(Boolean.TRUE.equals(c.getBoolean("enabled", false)),
        c.getString("name", "emp-" + namespace), host, c.getInteger("port", DEFAULT_PORT), members,
        c.getInteger("bus_port", DEFAULT_BUS_PORT), c.getLong("member_timeout_ms", DEFAULT_MEMBER_TIMEOUT_MS),
        c.getLong("request_attempt_timeout_ms", DEFAULT_REQUEST_ATTEMPT_TIMEOUT_MS),
        c.getString("config_file", DEFAULT_CONFIG_FILE));
  }

  /** A list, or one comma-separated string (as EMP_CLUSTER_MEMBERS gives it). */
  private static List<String> members(ConfigSection c) {
    Object v = c.getValue("members");
    List<String> out = new ArrayList<>();
    if (v == null) {
      return out;
    }
    if (v instanceof String s) {
      for (String m : s.split(",")) {
        if (!m.isBlank()) {
          out.add(m.trim());
        }
      }
    } else if (v instanceof JsonArray a) {
      for (Object o : a) {
        if (!(o instanceof String s) || s.isBlank()) {
          throw new ConfigException(c.pathOf("members") + ": expected host or host:port strings, got "
              + io.vertx.core.json.Json.encode(o));
        }
        out.add(s.trim());
      }
    } else {
      throw new ConfigException(c.pathOf("members") + ": expected a list of host[:port] or one comma-separated "
          + "string, got " + io.vertx.core.json.Json.encode(v));
    }
    for (String m : out) {
      if (!m.matches("[A-Za-z0-9_.\\-\\[\\]:]+")) {
        throw new ConfigException(c.pathOf("members") + ": '" + m + "' is not a host or host:port");
      }
    }
    return out;
  }
}
