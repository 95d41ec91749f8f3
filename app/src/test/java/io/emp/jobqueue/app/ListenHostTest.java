package io.emp.jobqueue.app;

import static io.emp.jobqueue.app.E2e.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.emp.jobqueue.testing.TestRedis;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The machine's health server listens where the node's one host setting says (gateway.host, which
 * EMP_HTTP_HOST sets), unless machine.health_host names its own. Checked on the socket the kernel
 * reports as listening, not on the config.
 */
class ListenHostTest {
  static TestRedis redis;
  @TempDir
  Path dir;

  @BeforeAll
  static void redis() {
    redis = TestRedis.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @Test
  void theHealthServerFollowsTheNodesHostSetting() throws Exception {
    NodeConfig cfg = NodeConfig.load(new String[] {"--roles", "machine", "--config", config(null).toString()},
        Map.of("EMP_HTTP_HOST", "0.0.0.0", "REDIS_URL", redis.url()));
    assertThat(listenAddressOfHealthServer(cfg)).isEqualTo("0.0.0.0");
  }

  @Test
  void aHealthHostOfItsOwnWins() throws Exception {
    NodeConfig cfg = NodeConfig.load(new String[] {"--roles", "machine", "--config", config("127.0.0.1").toString()},
        Map.of("EMP_HTTP_HOST", "0.0.0.0", "REDIS_URL", redis.url()));
    assertThat(listenAddressOfHealthServer(cfg)).isEqualTo("127.0.0.1");
  }

  @Test
  void withNoHostSetAnywhereItStaysOnLoopbackLikeTheGateway() throws Exception {
    NodeConfig cfg = NodeConfig.load(new String[] {"--roles", "machine", "--config", config(null).toString()},
        Map.of("REDIS_URL", redis.url()));
    assertThat(Node.machineSection(cfg).getString("health_host")).isEqualTo("127.0.0.1");
  }

  private String listenAddressOfHealthServer(NodeConfig cfg) throws IOException {
    Node node = get(Node.start(cfg, Map.of(), false));
    try {
      assertThat(node.healthPort()).isPositive();
      return listenAddress(node.healthPort());
    } finally {
      get(node.stop());
    }
  }

  /** conf/emp.json as shipped (and as the Docker image has it), with test-local directories and ports. */
  private Path config(String healthHost) throws IOException {
    Path shipped = Files.exists(Path.of("conf", "emp.json")) ? Path.of("conf", "emp.json")
        : Path.of("..", "conf", "emp.json");
    JsonObject json = new JsonObject(Files.readString(shipped));
    JsonObject machine = json.getJsonObject("machine").put("machine_id", "host-m1")
        .put("profiles_dir", DocumentedTraceTest.conf("machines").toString())
        .put("work_dir", dir.resolve("machine").toString()).put("health_port", 0).put("workers", "simulation:1");
    if (healthHost != null) {
      machine.put("health_host", healthHost);
    }
    json.getJsonObject("worker").put("results_dir", dir.resolve("results").toString());
    Path f = dir.resolve("emp.json");
    Files.writeString(f, json.encode());
    return f;
  }

  /** The local address of the socket listening on this TCP port, from /proc/net/tcp (IPv4) or tcp6. */
  static String listenAddress(int port) throws IOException {
    String hexPort = String.format(Locale.ROOT, "%04X", port);
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      for (String line : Files.readAllLines(Path.of(table))) {
        String[] f = line.trim().split("\\s+");
        // sl local_address rem_address st ...; st 0A = LISTEN
        if (f.length > 3 && f[1].endsWith(":" + hexPort) && "0A".equals(f[3])) {
          return decode(f[1].substring(0, f[1].indexOf(':')));
        }
      }
    }
    throw new AssertionError("nothing listens on port " + port);
  }

  private static String decode(String hex) {
    if (hex.length() == 8) {
      // little-endian IPv4
      return Integer.parseInt(hex.substring(6, 8), 16) + "." + Integer.parseInt(hex.substring(4, 6), 16) + "."
          + Integer.parseInt(hex.substring(2, 4), 16) + "." + Integer.parseInt(hex.substring(0, 2), 16);
    }
    // IPv6: the any address, or an IPv4-mapped one (::ffff:a.b.c.d)
    if (hex.chars().allMatch(c -> c == '0')) {
      return "0.0.0.0";
    }
    return decode(hex.substring(24));
  }
}
