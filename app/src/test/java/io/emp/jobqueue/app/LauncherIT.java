package io.emp.jobqueue.app;

import static io.emp.jobqueue.app.E2e.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.model.JobEvent;
import io.emp.jobqueue.core.model.JobStatus;
import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.emp.jobqueue.testing.TestRedis;
import io.emp.jobqueue.testing.TestRedisCluster;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged fat jar as users run it: {@code java -jar emp-job-queue-fat.jar --roles all} in a
 * child JVM, driven over real HTTP, stopped with SIGTERM. Run by failsafe after {@code package}.
 */
class LauncherIT {
  static final Duration START = Duration.ofSeconds(90);
  static final Duration WAIT = Duration.ofSeconds(60);
  static final Pattern REDIS_BANNER = Pattern.compile("Started redis-server at redis://127\\.0\\.0\\.1:(\\d+)");

  @TempDir
  Path tmp;
  Process node;
  Path log;
  String apiKey = ADMIN_KEY;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @AfterEach
  void killLeftovers() throws InterruptedException {
    if (node != null && node.isAlive()) {
      // a failed test: the node's own children (its redis-server) would outlive a killed JVM
      List<ProcessHandle> children = node.toHandle().descendants().toList();
      node.destroyForcibly();
      node.waitFor(30, TimeUnit.SECONDS);
      children.forEach(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void servesAJobAndStopsCleanlyOnSigterm() throws Exception {
    try (TestRedis redis = TestRedis.start()) {
      int port = TestRedis.freePort();
      start(Map.of("REDIS_URL", redis.url(), "EMP_HTTP_PORT", Integer.toString(port),
          "EMP_API_KEYS", ADMIN_KEY + ":*:admin", "EMP_DATA_DIR", tmp.resolve("data").toString(),
          "EMP_LOG_FORMAT", "json"));
      awaitReady(port);

      String jobId = submitSimulationJob(port);
      await().atMost(WAIT).until(() -> "completed".equals(job(port, jobId).getString("status")));
      assertThat(job(port, jobId).getJsonObject("result").getBoolean("simulated")).isTrue();
      // the fat jar's /metrics: the job counted once by its worker, and Vert.x's own meters
      await().atMost(WAIT).untilAsserted(() -> assertThat(get(port, "/metrics").body())
          .contains("emp_job_attempts_total{outcome=\"completed\",service=\"simulation\"} 1.0")
          .contains("vertx_http_server_requests_total"));
      // a batch through the jar: one request, a job (and a trace) each, every one run to the end
      List<String> batch = submitSimulationBatch(port, 3);
      for (String id : batch) {
        await().atMost(WAIT).until(() -> "completed".equals(job(port, id).getString("status")));
      }
      // EMP_LOG_FORMAT=json: log records are one JSON object per line
      assertThat(output().lines().filter(l -> l.startsWith("{\"timestamp\"")).map(JsonObject::new)
          .map(j -> j.getString("message"))).anyMatch(m -> m.startsWith("gateway listening on"));

      stopAndAssertCleanExit();
      // an explicit REDIS_URL means the node started no Redis of its own; configured keys, no dev key file
      assertThat(output()).doesNotContain("Started redis-server").doesNotContain("dev-api-key")
          .contains("Authorization: Bearer <your API key>");
      // a shared Redis means a deployed node: the production sampling policy applies
      assertThat(output()).contains("Tail sampling on");
      // unclustered (the default), the node never loads the cluster manager: it starts as fast as without one
      assertThat(Files.readString(tmp.resolve("classes.log"))).contains("io.emp.jobqueue.app.Node ")
          .doesNotContain("com.hazelcast").doesNotContain("io.vertx.spi.cluster");
    }
  }

  @Test
  void theEmbeddedDefaultRunsItsOwnRedisUnderTheDataDirAndStopsIt() throws Exception {
    int port = TestRedis.freePort();
    Path data = tmp.resolve("data");
    // neither REDIS_URL nor API keys: what ./start.sh on a fresh machine does
    start(Map.of("EMP_HTTP_PORT", Integer.toString(port), "EMP_DATA_DIR", data.toString()));
    awaitReady(port);

    // the generated admin key: in a file only its owner can read, used by the banner's curl, never printed
    Path keyFile = data.resolve("dev-api-key");
    assertThat(Files.getPosixFilePermissions(keyFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    apiKey = Files.readString(keyFile).trim();
    assertThat(output()).contains("Authorization: Bearer $(cat " + keyFile + ")").doesNotContain(apiKey);

    Matcher m = REDIS_BANNER.matcher(output());
    assertThat(m.find()).as(output()).isTrue();
    int redisPort = Integer.parseInt(m.group(1));
    // redis-server rewrites its argv to "redis-server 127.0.0.1:<port>", which /proc shows as is
    List<ProcessHandle> redis = node.toHandle().descendants()
        .filter(h -> cmdline(h).contains("redis-server") && cmdline(h).contains(":" + redisPort)).toList();
    assertThat(redis).as("the redis-server child on port " + redisPort).hasSize(1);
    assertThat(answers(redisPort)).isTrue();
    assertThat(data.resolve("redis")).isDirectory();

    String jobId = submitSimulationJob(port);
    await().atMost(WAIT).until(() -> "completed".equals(job(port, jobId).getString("status")));

    // the embedded local default keeps every trace: each fast job (kept at 10% when sampling) has one
    assertThat(output()).contains("Tail sampling off: every trace is kept");
    List<String> jobs = new java.util.ArrayList<>(List.of(jobId));
    for (int i = 0; i < 4; i++) {
      jobs.add(submitSimulationJob(port));
    }
    for (String id : jobs) {
      await().atMost(WAIT).until(() -> "completed".equals(job(port, id).getString("status")));
      await().atMost(WAIT).until(() -> !traces(port, id).isEmpty());
    }

    stopAndAssertCleanExit();
    await().atMost(WAIT).until(() -> !redis.get(0).isAlive());
    assertThat(answers(redisPort)).isFalse();
    // Redis wrote its append-only data under the node's data dir
    try (var files = Files.walk(data.resolve("redis"))) {
      assertThat(files.anyMatch(f -> f.getFileName().toString().contains("appendonly"))).isTrue();
    }
  }

  @Test
  void sigtermHandsARunningJobBackToTheQueue() throws Exception {
    try (TestRedis redis = TestRedis.start()) {
      int port = TestRedis.freePort();
      // a short drain grace: the long job cannot finish in it and must be handed back, not lost
      start(Map.of("REDIS_URL", redis.url(), "EMP_HTTP_PORT", Integer.toString(port),
          "EMP_API_KEYS", ADMIN_KEY + ":*:admin", "EMP_DATA_DIR", tmp.resolve("data").toString()),
          cfg -> cfg.getJsonObject("worker").put("drain_grace_ms", 200));
      awaitReady(port);
      String jobId = submitSimulationJob(port, 600, 100);
      await().atMost(WAIT).until(() -> {
        JsonObject j = job(port, jobId);
        return "in_progress".equals(j.getString("status")) && j.getInteger("progress", 0) > 0;
      });

      stopAndAssertCleanExit();

      Vertx vertx = Vertx.vertx();
      try {
        JobStore store = E2e.get(JobStore.connect(vertx, StoreConfig.defaults(redis.url())));
        Job job = E2e.get(store.get(jobId)).orElseThrow();
        assertThat(job.status()).isEqualTo(JobStatus.PENDING);
        List<JobEvent> events = E2e.get(store.queries().events(jobId, 0, 100));
        assertThat(events.get(events.size() - 1).type()).isEqualTo(JobEvent.REQUEUED);
        assertThat(events).noneMatch(e -> JobEvent.COMPLETED.equals(e.type()) || JobEvent.FAILED.equals(e.type()));
        E2e.get(store.close());
      } finally {
        E2e.get(vertx.close());
      }
    }
  }

  // ---- the child node -------------------------------------------------------------------------

  @Test
  void runsShardedOnARedisClusterRelaysEveryShardAndMovesAShardWhileServing() throws Exception {
    try (TestRedisCluster cluster = TestRedisCluster.start(3, 1)) {
      int port = TestRedis.freePort();
      Map<String, String> env = Map.of("REDIS_URL", cluster.url(), "EMP_REDIS_SHARDS", "6",
          "EMP_HTTP_PORT", Integer.toString(port), "EMP_API_KEYS", ADMIN_KEY + ":*:admin",
          "EMP_DATA_DIR", tmp.resolve("data").toString());
      start(env);
      awaitReady(port);
      // the admin monitor: every shard's event stream is relayed to it
      java.util.Set<String> completedOnMonitor = java.util.concurrent.ConcurrentHashMap.newKeySet();
      java.net.http.WebSocket monitor = http.newWebSocketBuilder().header("Authorization", "Bearer " + apiKey)
          .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws/monitor"), new java.net.http.WebSocket.Listener() {
            final StringBuilder text = new StringBuilder();

            @Override
            public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket ws, CharSequence part,
                                                                  boolean last) {
              text.append(part);
              if (last) {
                JsonObject m = new JsonObject(text.toString());
                text.setLength(0);
                if ("complete_job".equals(m.getString("type"))) {
                  completedOnMonitor.add(m.getString("job_id"));
                }
              }
              ws.request(1);
              return null;
            }
          }).get(30, TimeUnit.SECONDS);

      List<String> jobs = new java.util.ArrayList<>(submitSimulationBatch(port, 30));
      jobs.add(submitSimulationJob(port));
      for (String id : jobs) {
        await().atMost(WAIT).until(() -> "completed".equals(job(port, id).getString("status")));
      }
      await().atMost(WAIT).until(() -> completedOnMonitor.containsAll(jobs));
      StoreConfig store = StoreConfig.defaults(cluster.url()).withShards(6);
      long shardsUsed = jobs.stream().map(id -> new io.emp.jobqueue.queue.store.Shards(store).of(id)).distinct().count();
      assertThat(shardsUsed).as("the jobs spread over the shards").isGreaterThanOrEqualTo(4);

      // the jar's shards command lists the layout and moves a shard while the node serves
      Jar listed = jar(env, "shards");
      assertThat(listed.exit()).as(listed.output()).isZero();
      assertThat(listed.output()).contains("namespace emp, 6 shards").contains("{emp@");
      int owner = cluster.portOfSlot(store.shardKeys().get(0).slot());
      int target = cluster.masterPorts().stream().filter(p -> p != owner).findFirst().orElseThrow();
      Jar moved = jar(env, "shards", "move", "0", "127.0.0.1:" + target);
      assertThat(moved.exit()).as(moved.output()).isZero();
      assertThat(moved.output()).contains("shard 0 (").contains("is now on 127.0.0.1:" + target);
      assertThat(cluster.portOfSlot(store.shardKeys().get(0).slot())).isEqualTo(target);
      assertThat(jar(env, "shards", "move", "9", "127.0.0.1:" + target).output()).contains("shard must be within 0..5");

      List<String> after = submitSimulationBatch(port, 12);
      for (String id : after) {
        await().atMost(WAIT).until(() -> "completed".equals(job(port, id).getString("status")));
      }
      await().atMost(WAIT).until(() -> completedOnMonitor.containsAll(after));
      monitor.abort();
      stopAndAssertCleanExit();
    }
  }

  record Jar(int exit, String output) {
  }

  /** Runs the fat jar once with {@code args} (a command, not a node) from the repository root. */
  private Jar jar(Map<String, String> env, String... args) throws Exception {
    Path jar = Path.of(System.getProperty("emp.fatJar", "target/emp-job-queue-fat.jar")).toAbsolutePath();
    List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx128m", "-jar", jar.toString()));
    cmd.addAll(List.of(args));
    Path out = tmp.resolve("jar-" + System.nanoTime() + ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(jar.getParent().getParent().getParent().toFile())
        .redirectErrorStream(true).redirectOutput(out.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("EMP_") || k.equals("REDIS_URL"));
    pb.environment().putAll(env);
    Process p = pb.start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the jar command ends").isTrue();
    return new Jar(p.exitValue(), Files.readString(out));
  }

  private void start(Map<String, String> env) throws IOException {
    start(env, cfg -> { });
  }

  private void start(Map<String, String> env, Consumer<JsonObject> tweak) throws IOException {
    Path jar = Path.of(System.getProperty("emp.fatJar", "target/emp-job-queue-fat.jar")).toAbsolutePath();
    assertThat(jar).as("the fat jar (run by failsafe after package)").isRegularFile();
    Path repo = jar.getParent().getParent().getParent();
    // conf/emp.json as shipped, with the machine's health port, work and result dirs made test-local
    JsonObject cfg = new JsonObject(Files.readString(repo.resolve("conf/emp.json")));
    cfg.getJsonObject("machine").put("health_port", 0).put("work_dir", tmp.resolve("machine").toString())
        .put("profiles_dir", repo.resolve("conf/machines").toString());
    cfg.getJsonObject("worker").put("results_dir", tmp.resolve("results").toString());
    tweak.accept(cfg);
    Path cfgFile = tmp.resolve("emp.json");
    Files.writeString(cfgFile, cfg.encodePrettily());

    log = tmp.resolve("node.log");
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-Xlog:class+load=info:file=" + tmp.resolve("classes.log"), "-jar", jar.toString(),
        "--roles", "all", "--config", cfgFile.toString())
        .directory(tmp.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
    // nothing from the developer's shell may point the child elsewhere
    pb.environment().keySet().removeIf(k -> k.startsWith("EMP_") || k.startsWith("OTEL_") || k.equals("REDIS_URL")
        || k.startsWith("OPENAI_"));
    pb.environment().putAll(env);
    node = pb.start();
  }

  private void awaitReady(int port) {
    await().atMost(START).pollInterval(Duration.ofMillis(250)).until(() -> {
      if (!node.isAlive()) {
        throw new AssertionError("node exited with " + node.exitValue() + ":\n" + output());
      }
      // /ready answers once the API is up; the banner is printed after every role has started
      if (!output().contains("Press Ctrl-C to stop.")) {
        return false;
      }
      try {
        return get(port, "/ready").statusCode() == 200;
      } catch (IOException e) {
        return false;
      }
    });
  }

  private void stopAndAssertCleanExit() throws Exception {
    node.destroy();
    assertThat(node.waitFor(60, TimeUnit.SECONDS)).as("exited within 60 s after SIGTERM").isTrue();
    assertThat(node.exitValue()).as(output()).isZero();
    assertThat(output()).contains("Stopped.");
  }

  private String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "<no output: " + e + ">";
    }
  }

  private String submitSimulationJob(int port) throws Exception {
    return submitSimulationJob(port, 2, 50);
  }

  private String submitSimulationJob(int port, int steps, int stepMs) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/jobs"))
        .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("service_required", "simulation")
            .put("payload", new JsonObject().put("steps", steps).put("step_ms", stepMs)).encode()))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return new JsonObject(r.body()).getString("job_id");
  }

  private List<String> submitSimulationBatch(int port, int n) throws Exception {
    io.vertx.core.json.JsonArray jobs = new io.vertx.core.json.JsonArray();
    for (int i = 0; i < n; i++) {
      jobs.add(new JsonObject().put("service_required", "simulation")
          .put("payload", new JsonObject().put("steps", 1).put("step_ms", 10)));
    }
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/jobs/batch"))
        .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("jobs", jobs).encode()))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonObject body = new JsonObject(r.body());
    assertThat(body.getInteger("created")).as(r.body()).isEqualTo(n);
    List<JsonObject> results = body.getJsonArray("results").stream().map(JsonObject.class::cast).toList();
    assertThat(results.stream().map(j -> j.getString("trace_id")).distinct()).hasSize(n);
    return results.stream().map(j -> j.getString("job_id")).toList();
  }

  private JsonObject job(int port, String jobId) throws Exception {
    HttpResponse<String> r = get(port, "/api/jobs/" + jobId);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body());
  }

  private io.vertx.core.json.JsonArray traces(int port, String jobId) throws Exception {
    HttpResponse<String> r = get(port, "/api/traces?job_id=" + jobId);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body()).getJsonArray("traces");
  }

  private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Authorization", "Bearer " + apiKey).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String cmdline(ProcessHandle h) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(h.pid()), "cmdline")).replace('\0', ' ');
    } catch (IOException e) {
      return h.info().commandLine().orElse("");
    }
  }

  private static boolean answers(int port) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      return true;
    } catch (ConnectException e) {
      return false;
    } catch (IOException e) {
      return false;
    }
  }
}
