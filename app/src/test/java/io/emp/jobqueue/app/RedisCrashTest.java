package io.emp.jobqueue.app;

import static io.emp.jobqueue.app.E2e.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.model.JobEvent;
import io.emp.jobqueue.core.model.JobStatus;
import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.queue.store.ServiceStats;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.emp.jobqueue.testing.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Redis killed with SIGKILL while a node (API, queue and machine roles) works through a backlog, then
 * started again on its append-only file with {@code appendfsync always}: the node rides the outage and
 * every job accepted before the crash completes exactly once. Jobs whose attempt the crash cut off run
 * again after their lease (at-least-once execution); their completion is still recorded once.
 */
class RedisCrashTest {
  static final String ADMIN_KEY = "crash-admin-key-0123456789";
  static final int JOBS = 200;
  static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir
  Path dir;
  Node node;
  TestRedis redis;
  Vertx vertx;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @AfterEach
  void stop() {
    if (node != null) {
      get(node.stop());
    }
    if (vertx != null) {
      get(vertx.close());
    }
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void redisKilledMidRunAndRestartedOnItsAppendOnlyFileLosesAndDuplicatesNoCompletion() throws Exception {
    int redisPort = TestRedis.freePort();
    Path data = dir.resolve("redis");
    redis = TestRedis.startDurable(redisPort, data);
    node = get(Node.start(config("redis://127.0.0.1:" + redisPort), Map.of("EMP_API_KEYS", ADMIN_KEY + ":*:admin"),
        false));
    int port = apiPort(node);

    List<String> ids = new ArrayList<>();
    for (int i = 0; i < JOBS; i++) {
      ids.add(submit(port));
    }
    // mid-run: some jobs done, the rest waiting or running
    await().atMost(WAIT).until(() -> completed(port) >= JOBS / 4);
    long completedBeforeKill = completed(port);

    long killed = System.nanoTime();
    redis.kill();
    // the node has noticed (its readiness says Redis is gone) and rides an outage of a few seconds
    await().during(Duration.ofSeconds(2)).atMost(WAIT).until(() -> status(port, "/ready") == 503);

    redis = TestRedis.startDurable(redisPort, data);
    long restarted = System.nanoTime();
    long restartedAtMs = System.currentTimeMillis();
    await().atMost(WAIT).until(() -> status(port, "/ready") == 200);
    long ready = System.nanoTime();

    vertx = Vertx.vertx();
    JobStore store = get(JobStore.connect(vertx, StoreConfig.defaults(redis.url())));
    try {
      await().atMost(WAIT).until(() -> ids.stream().allMatch(id ->
          get(store.get(id)).map(Job::status).orElse(null) == JobStatus.COMPLETED));
      long allDone = System.nanoTime();
      int reRun = 0;
      long firstAfterRestart = Long.MAX_VALUE;
      for (String id : ids) {
        List<JobEvent> events = get(store.queries().events(id, 0, 1000));
        assertThat(events).filteredOn(e -> JobEvent.SUBMITTED.equals(e.type())).as("submits of " + id).hasSize(1);
        assertThat(events).filteredOn(e -> JobEvent.COMPLETED.equals(e.type())).as("completions of " + id).hasSize(1);
        Job job = get(store.get(id)).orElseThrow();
        if (job.attempt() > 1) {
          reRun++;
        }
        if (job.completedAt() > restartedAtMs) {
          firstAfterRestart = Math.min(firstAfterRestart, job.completedAt());
        }
      }
      ServiceStats stats = get(store.queries().stats()).stream().filter(s -> "simulation".equals(s.service())).findFirst()
          .orElseThrow();
      assertThat(stats.completed()).isEqualTo(JOBS);
      assertThat(stats.pending()).isZero();
      assertThat(stats.active()).isZero();
      assertThat(stats.delayed()).isZero();
      System.out.println("[reliability] Redis kill -9 + restart on its AOF (appendfsync always, lease 3000 ms): "
          + JOBS + " jobs, " + completedBeforeKill + " completed before the kill, Redis down "
          + (restarted - killed) / 1_000_000 + " ms, restart -> node ready "
          + (ready - restarted) / 1_000_000 + " ms, restart -> first completion " + (firstAfterRestart - restartedAtMs)
          + " ms, restart -> all completed " + (allDone - restarted) / 1_000_000
          + " ms, attempts re-run after the crash " + reRun + "; lost 0, duplicated completions 0");
    } finally {
      get(store.close());
    }
  }

  private NodeConfig config(String redisUrl) throws IOException {
    JsonObject json = new JsonObject()
        .put("queue", new JsonObject().put("housekeeping_interval_ms", 100).put("store", new JsonObject()
            .put("redis_url", redisUrl).put("connect_timeout_ms", 60_000)
            .put("retry", new JsonObject().put("base_ms", 100).put("cap_ms", 1_000))))
        .put("gateway", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        .put("machine", new JsonObject().put("profile", "sim-test-local-dev").put("machine_id", "crash-m1")
            .put("profiles_dir", DocumentedTraceTest.conf("machines").toString())
            .put("work_dir", dir.resolve("machine").toString()).put("health_host", "127.0.0.1").put("health_port", 0)
            .put("heartbeat_interval_ms", 200).put("registration_ttl_ms", 5_000))
        .put("worker", new JsonObject().put("concurrency", 2).put("idle_poll_ms", 50).put("lease_ms", 3_000)
            .put("renew_interval_ms", 1_000).put("results_dir", dir.resolve("results").toString()));
    Files.createDirectories(dir);
    return new NodeConfig(Set.of(NodeConfig.Role.API, NodeConfig.Role.MACHINE), json, dir);
  }

  private String submit(int port) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/jobs"))
        .header("Authorization", "Bearer " + ADMIN_KEY).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("service_required", "simulation")
            .put("payload", new JsonObject().put("steps", 2).put("step_ms", 100)).encode())).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return new JsonObject(r.body()).getString("job_id");
  }

  private long completed(int port) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/queues"))
        .header("Authorization", "Bearer " + ADMIN_KEY).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body()).getJsonArray("queues").stream().map(o -> (JsonObject) o)
        .filter(q -> "simulation".equals(q.getString("service"))).mapToLong(q -> q.getLong("completed")).sum();
  }

  private int status(int port, String path) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException | InterruptedException e) {
      return -1;
    }
  }

  private static int apiPort(Node node) {
    String api = node.lines().stream().filter(l -> l.startsWith("HTTP API")).findFirst().orElseThrow();
    return Integer.parseInt(api.replaceAll(".*:(\\d+)/api/jobs.*", "$1"));
  }
}
