package io.emp.jobqueue.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emp.jobqueue.core.metrics.MetricNames;
import io.emp.jobqueue.testing.Promtool;
import io.emp.jobqueue.testing.TestRedis;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A whole node (queue, gateway, a machine with a downloaded component, a supervised service and two
 * simulation workers; tail sampling on, fast successes dropped) after a few jobs, as Prometheus and
 * Grafana see it: a scrape that passes promtool, every catalogue family exported, OpenMetrics
 * exemplars that only point at kept traces the trace API serves, and dashboards whose every query is
 * valid PromQL over names the node exports.
 */
class MetricsEndToEndTest {
  static final Duration WAIT = Duration.ofSeconds(60);
  static final String ADMIN_KEY = "metrics-admin-key-0123456789";
  static final Pattern EXEMPLAR_TRACE = Pattern.compile("# \\{[^}]*trace_id=\"([0-9a-f]{32})\"");
  static final Pattern NAME = Pattern.compile("\\b((?:emp|vertx|jvm)_[a-zA-Z0-9_]*)");

  static TestRedis redis;
  static Node node;
  static Vertx clientVertx;
  static HttpServer files;
  static WebClient http;
  static int port;
  static final Set<String> keptTraces = new LinkedHashSet<>();
  static final Set<String> droppedTraces = new LinkedHashSet<>();

  @BeforeAll
  static void startNodeAndRunJobs() throws Exception {
    redis = TestRedis.start();
    clientVertx = Vertx.vertx();
    http = WebClient.create(clientVertx);
    Path dir = Files.createTempDirectory("emp-metrics-e2e-");
    byte[] model = new byte[100_000];
    new Random(5).nextBytes(model);
    files = get(clientVertx.createHttpServer().requestHandler(req -> req.response().end(Buffer.buffer(model)))
        .listen(0, "127.0.0.1"));
    Path profiles = Files.createDirectories(dir.resolve("profiles"));
    Path stub = dir.resolve("HealthStub.java");
    Files.writeString(stub, """
        import com.sun.net.httpserver.HttpServer;
        import java.net.InetSocketAddress;
        public class HealthStub {
          public static void main(String[] a) throws Exception {
            HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(a[0])), 0);
            s.createContext("/health", x -> { x.sendResponseHeaders(200, -1); x.close(); });
            s.start();
          }
        }
        """);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Files.writeString(profiles.resolve("e2e.json"), new JsonObject().put("name", "e2e")
        .put("machine_type", "simulation").put("workers", "simulation:2")
        .put("components", new JsonArray().add(new JsonObject().put("name", "model").put("type", "model_download")
            .put("url", "http://127.0.0.1:" + files.actualPort() + "/model.bin").put("sha256", sha256(model))
            .put("target", "models/model.bin")))
        .put("services", new JsonArray().add(new JsonObject().put("name", "stub").put("type", "stub")
            .put("instances", 1).put("base_port", 0).put("health_path", "/health").put("health_interval_ms", 100)
            .put("command", new JsonArray().add(java).add(stub.toString()).add("{port}"))))
        .encodePrettily());
    JsonObject json = new JsonObject()
        .put("queue", new JsonObject().put("store", new JsonObject().put("redis_url", redis.url())
            .put("namespace", "met" + UUID.randomUUID().toString().substring(0, 8))))
        .put("gateway", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        // tail sampling on, every fast success dropped: exemplars must still only point at kept traces
        .put("telemetry", new JsonObject().put("environment", "test").put("sampling", new JsonObject()
            .put("enabled", true).put("fast_ratio", 0.0).put("medium_ratio", 0.0)))
        .put("metrics", new JsonObject().put("analytics_interval_ms", 200))
        .put("machine", new JsonObject().put("profile", "e2e").put("machine_id", "met-m1")
            .put("profiles_dir", profiles.toString()).put("work_dir", dir.resolve("machine").toString())
            .put("health_host", "127.0.0.1").put("health_port", 0))
        .put("worker", new JsonObject().put("concurrency", 2).put("results_dir", dir.resolve("results").toString())
            .put("connectors", new JsonObject().put("simulation", new JsonObject().put("steps", 1)
                .put("step_ms", 1))));
    NodeConfig cfg = new NodeConfig(Set.of(NodeConfig.Role.API, NodeConfig.Role.MACHINE), json, dir);
    node = get(Node.start(cfg, Map.of("EMP_API_KEYS", ADMIN_KEY + ":*:admin"), false));
    String api = node.lines().stream().filter(l -> l.startsWith("HTTP API")).findFirst().orElseThrow();
    port = Integer.parseInt(api.replaceAll(".*:(\\d+)/api/jobs.*", "$1"));

    List<String> jobs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      JsonObject r = submit(new JsonObject().put("steps", 1).put("step_ms", 1), null, 3);
      droppedTraces.add(r.getString("trace_id"));
      jobs.add(r.getString("job_id"));
    }
    JsonObject failed = submit(new JsonObject().put("steps", 1).put("step_ms", 1).put("fail", "permanent"), null, 0);
    JsonObject vip = submit(new JsonObject().put("steps", 1).put("step_ms", 1), "customer.tier=vip", 3);
    keptTraces.add(failed.getString("trace_id"));
    keptTraces.add(vip.getString("trace_id"));
    jobs.add(failed.getString("job_id"));
    jobs.add(vip.getString("job_id"));
    for (String id : jobs) {
      await().atMost(WAIT).until(() -> Set.of("completed", "failed").contains(job(id).getString("status")));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) {
      get(node.stop());
    }
    if (clientVertx != null) {
      get(clientVertx.close());
    }
    if (redis != null) {
      redis.close();
    }
  }

  static JsonObject submit(JsonObject payload, String baggage, int maxRetries) {
    var req = http.post(port, "127.0.0.1", "/api/jobs").bearerTokenAuthentication(ADMIN_KEY);
    if (baggage != null) {
      req.putHeader("baggage", baggage);
    }
    var res = get(req.sendJsonObject(new JsonObject().put("service_required", "simulation")
        .put("max_retries", maxRetries).put("payload", payload)));
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(201);
    return res.bodyAsJsonObject();
  }

  static JsonObject job(String id) {
    return get(http.get(port, "127.0.0.1", "/api/jobs/" + id).bearerTokenAuthentication(ADMIN_KEY).send())
        .bodyAsJsonObject();
  }

  static String scrape(String accept) {
    var req = http.get(port, "127.0.0.1", "/metrics");
    if (accept != null) {
      req.putHeader("Accept", accept);
    }
    var res = get(req.send());
    assertThat(res.statusCode()).isEqualTo(200);
    return res.bodyAsString();
  }

  /** Sample names in an exposition (histogram series as _bucket/_count/_sum). */
  static Set<String> sampleNames(String exposition) {
    Set<String> names = new TreeSet<>();
    exposition.lines().filter(l -> !l.startsWith("#") && !l.isBlank())
        .forEach(l -> names.add(l.split("[{ ]", 2)[0]));
    return names;
  }

  @Test
  void aRealScrapePassesPromtoolAndHasEveryCatalogueFamily() {
    // cluster gauges appear after the first analytics interval that saw the queue
    await().atMost(WAIT).until(() -> scrape(null).contains("emp_capacity_slots_needed{"));
    String text = scrape(null);
    Promtool.Result lint = Promtool.checkMetrics(text);
    assertThat(lint.output()).as("promtool check metrics on a running node's /metrics").isBlank();
    assertThat(lint.exitCode()).isZero();
    for (MetricNames.Def d : MetricNames.ALL) {
      assertThat(text).as(d.family() + " is exported with its HELP").contains("# HELP " + d.family() + " ");
    }
    // Vert.x and JVM meters share the registry
    assertThat(sampleNames(text)).contains("vertx_http_server_requests_total", "jvm_memory_used_bytes")
        .as("event-bus, pool and raw TCP meters are opt-in (their cost per job)")
        .noneMatch(n -> n.startsWith("vertx_net_") || n.startsWith("vertx_eventbus_") || n.startsWith("vertx_pool_"));
  }

  @Test
  void exemplarsPointOnlyAtKeptTracesThatTheTraceApiServes() {
    String om = scrape("application/openmetrics-text; version=1.0.0");
    assertThat(om).endsWith("# EOF\n");
    Set<String> exemplars = new LinkedHashSet<>();
    om.lines().filter(l -> l.startsWith("emp_job_")).forEach(l -> {
      Matcher m = EXEMPLAR_TRACE.matcher(l);
      if (m.find()) {
        exemplars.add(m.group(1));
      }
    });
    assertThat(exemplars).as("the failed and the VIP job's traces are kept: their buckets carry exemplars")
        .isNotEmpty();
    assertThat(exemplars).as("never a dropped trace").doesNotContainAnyElementsOf(droppedTraces)
        .isSubsetOf(keptTraces);
    for (String traceId : exemplars) {
      var res = get(http.get(port, "127.0.0.1", "/api/traces/" + traceId).bearerTokenAuthentication(ADMIN_KEY).send());
      assertThat(res.statusCode()).as("GET /api/traces/" + traceId).isEqualTo(200);
      assertThat(res.bodyAsJsonObject().getInteger("span_count")).isPositive();
    }
    assertThat(scrape(null)).as("the Prometheus text format carries no exemplars").doesNotContain("trace_id");
  }

  @Test
  void everyDashboardQueryIsValidPromqlOverNamesTheNodeExports() throws Exception {
    await().atMost(WAIT).until(() -> scrape(null).contains("emp_capacity_slots_needed{"));
    Set<String> exported = sampleNames(scrape(null));
    Path dashboards = Promtool.repoRoot().resolve("conf/grafana/dashboards");
    StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard-queries\n    rules:\n");
    Set<String> used = new TreeSet<>();
    int n = 0;
    List<Path> jsons;
    try (var s = Files.list(dashboards)) {
      jsons = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    assertThat(jsons).extracting(p -> p.getFileName().toString()).contains("overview.json", "machines.json");
    for (Path p : jsons) {
      JsonObject dash = new JsonObject(Files.readString(p));
      for (Object o : dash.getJsonArray("panels")) {
        JsonObject panel = (JsonObject) o;
        for (Object t : panel.getJsonArray("targets", new JsonArray())) {
          String expr = ((JsonObject) t).getString("expr");
          // Grafana variables as Prometheus would see them once Grafana substituted them
          String promql = expr.replace("$__rate_interval", "5m").replace("$__interval", "1m")
              .replaceAll("\\$\\{?(service|machine)}?", ".*");
          rules.append("      - record: dashboard:query_").append(++n).append("\n        expr: '")
              .append(promql.replace("'", "''")).append("'\n");
          Matcher m = NAME.matcher(promql);
          while (m.find()) {
            used.add(m.group(1));
          }
        }
      }
    }
    assertThat(n).isGreaterThan(40);
    Path file = Files.createTempFile("dashboard-queries-", ".yml");
    Files.writeString(file, rules.toString());
    Promtool.Result check = Promtool.run(null, "check", "rules", file.toString());
    assertThat(check.exitCode()).as(check.output()).isZero();
    assertThat(check.output()).contains("SUCCESS: " + n + " rules found");
    assertThat(used).as("every name a dashboard queries is exported by a running node").isSubsetOf(exported);
  }

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  static <T> T get(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new RuntimeException(e.getCause() != null ? e.getCause() : e);
    }
  }
}
