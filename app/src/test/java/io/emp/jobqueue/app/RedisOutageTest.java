package io.emp.jobqueue.app;

import static io.emp.jobqueue.app.E2e.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emp.jobqueue.testing.TestRedis;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole node (API and machine roles) and its Redis coming and going: started before Redis it waits
 * for it instead of exiting, and while Redis is down it warns once per component and error, without
 * stack traces.
 */
class RedisOutageTest {
  static final String ADMIN_KEY = "outage-admin-key-0123456789";

  @TempDir
  Path dir;
  final List<LogRecord> records = new CopyOnWriteArrayList<>();
  final Logger emp = Logger.getLogger("io.emp");
  final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord r) {
      records.add(r);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  };
  Node node;

  @BeforeEach
  void captureLogs() {
    emp.addHandler(capture);
  }

  @AfterEach
  void stop() {
    emp.removeHandler(capture);
    if (node != null) {
      get(node.stop());
    }
  }

  @Test
  void aNodeStartedBeforeRedisWaitsForItThenRidesAnOutageQuietly() throws Exception {
    int redisPort = TestRedis.freePort();
    NodeConfig cfg = config("redis://127.0.0.1:" + redisPort);
    Future<Node> starting = Node.start(cfg, Map.of("EMP_API_KEYS", ADMIN_KEY + ":*:admin"), false);
    // no Redis yet: the node keeps trying instead of failing
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> !starting.isComplete());

    try (TestRedis redis = TestRedis.start(redisPort)) {
      long redisUp = System.nanoTime();
      node = get(starting);
      long nodeUp = System.nanoTime();
      int port = apiPort(node);
      assertThat(ready(port)).isEqualTo(200);

      List<LogRecord> waiting = records.stream().filter(r -> r.getLoggerName().endsWith("ConnectRetry")).toList();
      assertThat(waiting).as("one line per attempt while Redis was missing, then one when it answered")
          .hasSizeGreaterThan(1)
          .allSatisfy(r -> {
            assertThat(r.getMessage()).doesNotContain("\n");
            assertThat(r.getThrown()).isNull();
          });
      assertThat(waiting.subList(0, waiting.size() - 1)).allSatisfy(r -> assertThat(r.getMessage())
          .contains("not reachable (attempt"));
      assertThat(waiting.get(waiting.size() - 1).getMessage()).contains("reachable after " + waiting.size()
          + " attempts");
      System.out.println("[reliability] node started before Redis: started " + (nodeUp - redisUp) / 1_000_000
          + " ms after Redis answered, after " + waiting.size() + " connection attempts");

      // an outage at run time: the claim loops, the reaper and the heartbeats keep failing
      records.clear();
      redis.kill();
      await().atMost(Duration.ofSeconds(10)).until(() -> records.stream()
          .anyMatch(r -> r.getLoggerName().endsWith("ClaimLoop")));
      // the workers poll every 50 ms and the reaper ticks every 100 ms: for seconds, still one line per
      // component and distinct error, and never a stack trace
      await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(() -> quietWarnings(records));
      assertThat(records.stream().filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue())
          .map(r -> r.getLoggerName().replaceAll(".*\\.", ""))).contains("ClaimLoop", "Housekeeper");
    }
  }

  private static boolean quietWarnings(List<LogRecord> records) {
    List<LogRecord> warnings = records.stream().filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue())
        .toList();
    Map<String, Long> perLine = warnings.stream()
        .collect(Collectors.groupingBy(r -> r.getLoggerName() + " " + r.getMessage(), Collectors.counting()));
    assertThat(warnings).allSatisfy(r -> assertThat(r.getThrown()).as(r.getMessage()).isNull());
    assertThat(perLine).as(perLine.keySet().toString()).allSatisfy((line, n) -> assertThat(n).isEqualTo(1));
    return true;
  }

  private NodeConfig config(String redisUrl) throws Exception {
    JsonObject json = new JsonObject()
        .put("queue", new JsonObject().put("housekeeping_interval_ms", 100).put("store", new JsonObject()
            .put("redis_url", redisUrl).put("connect_timeout_ms", 60_000)))
        .put("gateway", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        .put("machine", new JsonObject().put("profile", "sim-test-local-dev").put("machine_id", "outage-m1")
            .put("profiles_dir", DocumentedTraceTest.conf("machines").toString())
            .put("work_dir", dir.resolve("machine").toString()).put("health_host", "127.0.0.1").put("health_port", 0)
            .put("heartbeat_interval_ms", 200).put("registration_ttl_ms", 5_000))
        .put("worker", new JsonObject().put("concurrency", 1).put("idle_poll_ms", 50)
            .put("results_dir", dir.resolve("results").toString()));
    Files.createDirectories(dir);
    return new NodeConfig(Set.of(NodeConfig.Role.API, NodeConfig.Role.MACHINE), json, dir);
  }

  private static int apiPort(Node node) {
    String api = node.lines().stream().filter(l -> l.startsWith("HTTP API")).findFirst().orElseThrow();
    return Integer.parseInt(api.replaceAll(".*:(\\d+)/api/jobs.*", "$1"));
  }

  private static int ready(int port) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready"))
        .GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
