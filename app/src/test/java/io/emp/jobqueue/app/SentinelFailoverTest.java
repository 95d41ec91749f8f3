package io.emp.jobqueue.app;

import static io.emp.jobqueue.app.E2e.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.model.JobEvent;
import io.emp.jobqueue.core.model.JobStatus;
import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.queue.store.RedisKeys;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.emp.jobqueue.testing.TestSentinels;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node (API, queue and machine roles) on a Sentinel-watched master and replica, with
 * {@code wait_replicas = 1}: the master is killed with SIGKILL while jobs are submitted, claimed and
 * completed. The sentinels promote the replica; the node follows it without a restart, answers 503 +
 * {@code Retry-After} while no master (and then no replica) can take a write, re-subscribes its
 * wake channel on the new master and relays the new master's job events to {@code /ws/monitor}. The dead master comes back empty and the sentinels make it a
 * replica. Every job that got a 2xx is on the new master and completes exactly once.
 */
class SentinelFailoverTest {
  static final String ADMIN_KEY = "sentinel-admin-key-0123456789";
  static final Duration WAIT = Duration.ofSeconds(90);
  static final int SUBMIT_EVERY_MS = 40;

  @TempDir
  Path dir;
  TestSentinels redis;
  Node node;
  Vertx vertx;
  ScheduledExecutorService load;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  final Set<String> accepted = ConcurrentHashMap.newKeySet();
  final Set<String> acceptedAfter = ConcurrentHashMap.newKeySet();
  final Set<String> completedOnMonitor = ConcurrentHashMap.newKeySet();
  final AtomicInteger unavailable = new AtomicInteger();
  final AtomicInteger notConfirmed = new AtomicInteger();
  final List<String> unexpected = new CopyOnWriteArrayList<>();
  volatile boolean failedOver;

  @AfterEach
  void stop() throws InterruptedException {
    if (load != null) {
      load.shutdownNow();
      load.awaitTermination(10, TimeUnit.SECONDS);
    }
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
  void masterKilledMidRunTheNodeFollowsTheNewMasterAndNoAcknowledgedJobIsLostOrCompletedTwice() throws Exception {
    redis = TestSentinels.start();
    node = get(Node.start(config(redis.url()), Map.of("EMP_API_KEYS", ADMIN_KEY + ":*:admin"), false));
    int port = apiPort(node);
    int oldMaster = redis.masterPort();
    vertx = Vertx.vertx();
    // the admin monitor sees every job event through the gateway's relay of the global event stream
    get(vertx.createWebSocketClient().connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI("/ws/monitor").addHeader("Authorization", "Bearer " + ADMIN_KEY))
        .map(ws -> ws.textMessageHandler(t -> {
          JsonObject m = new JsonObject(t);
          if ("complete_job".equals(m.getString("type"))) {
            completedOnMonitor.add(m.getString("job_id"));
          }
        })));

    load = Executors.newSingleThreadScheduledExecutor();
    load.scheduleWithFixedDelay(() -> submit(port), 0, SUBMIT_EVERY_MS, TimeUnit.MILLISECONDS);
    // mid-run: jobs accepted, some done, others waiting or running
    await().atMost(WAIT).until(() -> completed(port) >= 20);

    long killed = System.nanoTime();
    redis.kill(oldMaster);
    await().atMost(WAIT).until(() -> unavailable.get() > 0);
    await().atMost(WAIT).ignoreExceptions().until(() -> redis.masterPort() != oldMaster);
    long promoted = System.nanoTime();
    int newMaster = redis.masterPort();
    // with wait_replicas = 1 and no replica left, writes still answer 503: bring the dead server back,
    // empty; the sentinels turn it into a replica of the new master
    redis.restart(oldMaster);
    failedOver = true;
    await().atMost(WAIT).until(() -> acceptedAfter.size() >= 20);
    long writable = System.nanoTime();
    load.shutdown();
    assertThat(load.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    assertThat(unexpected).as("answers other than 201 and 503 + Retry-After").isEmpty();
    // between the promotion and the old master's return the new master had no replica: those submits
    // were stored but not confirmed, and said so
    assertThat(notConfirmed.get()).isPositive();

    JobStore store = get(JobStore.connect(vertx, StoreConfig.defaults(redis.url())));
    try {
      // the worker's wake subscription moved to the new master by itself
      String wake = new RedisKeys(StoreConfig.DEFAULT_NAMESPACE).wake("simulation");
      await().atMost(WAIT).until(() -> ((Long) ((List<?>) TestSentinels.command(newMaster, "PUBSUB", "NUMSUB", wake))
          .get(1)) >= 1);
      await().atMost(WAIT).until(() -> accepted.stream().allMatch(id ->
          get(store.get(id)).map(Job::status).orElse(null) == JobStatus.COMPLETED));
      long drained = System.nanoTime();
      // the relay's tail followed the new master too: completions after the failover reach the monitor
      await().atMost(WAIT).until(() -> completedOnMonitor.containsAll(acceptedAfter));
      int reRun = 0;
      for (String id : accepted) {
        List<JobEvent> events = get(store.queries().events(id, 0, 1000));
        assertThat(events).filteredOn(e -> JobEvent.SUBMITTED.equals(e.type())).as("submits of " + id).hasSize(1);
        assertThat(events).filteredOn(e -> JobEvent.COMPLETED.equals(e.type())).as("completions of " + id).hasSize(1);
        if (get(store.get(id)).orElseThrow().attempt() > 1) {
          reRun++;
        }
      }
      System.out.println("[reliability] Sentinel failover, master kill -9 under load, wait_replicas=1 (down-after "
          + TestSentinels.DOWN_AFTER_MS + " ms): " + accepted.size() + " jobs acknowledged, kill -> new master "
          + (promoted - killed) / 1_000_000 + " ms, kill -> writes acknowledged again (old master back as replica) "
          + (writable - killed) / 1_000_000 + " ms, 503 + Retry-After answers " + unavailable.get() + " (of them "
          + notConfirmed.get() + " stored but not confirmed by a replica)"
          + ", attempts re-run " + reRun + ", all done " + (drained - killed) / 1_000_000
          + " ms after the kill; lost 0, duplicated completions 0");
    } finally {
      get(store.close());
    }
  }

  private NodeConfig config(String redisUrl) throws IOException {
    JsonObject json = new JsonObject()
        .put("queue", new JsonObject().put("housekeeping_interval_ms", 100).put("store", new JsonObject()
            .put("redis_url", redisUrl).put("connect_timeout_ms", 60_000)
            .put("wait_replicas", 1).put("wait_timeout_ms", 500)
            .put("retry", new JsonObject().put("base_ms", 100).put("cap_ms", 1_000))))
        .put("gateway", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        .put("machine", new JsonObject().put("profile", "sim-test-local-dev").put("machine_id", "sentinel-m1")
            .put("profiles_dir", DocumentedTraceTest.conf("machines").toString())
            .put("work_dir", dir.resolve("machine").toString()).put("health_host", "127.0.0.1").put("health_port", 0)
            .put("heartbeat_interval_ms", 200).put("registration_ttl_ms", 10_000))
        .put("worker", new JsonObject().put("concurrency", 2).put("idle_poll_ms", 50).put("lease_ms", 3_000)
            .put("renew_interval_ms", 1_000).put("results_dir", dir.resolve("results").toString()));
    Files.createDirectories(dir);
    return new NodeConfig(Set.of(NodeConfig.Role.API, NodeConfig.Role.MACHINE), json, dir);
  }

  /** One submit of the load; records what the API answered. */
  private void submit(int port) {
    boolean after = failedOver;
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/jobs"))
          .header("Authorization", "Bearer " + ADMIN_KEY).header("Content-Type", "application/json")
          .timeout(Duration.ofSeconds(20))
          .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("service_required", "simulation")
              .put("payload", new JsonObject().put("steps", 1).put("step_ms", 20)).encode())).build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 201) {
        accepted.add(new JsonObject(r.body()).getString("job_id"));
        if (after) {
          acceptedAfter.add(new JsonObject(r.body()).getString("job_id"));
        }
      } else if (r.statusCode() == 503 && r.headers().firstValue("Retry-After").isPresent()) {
        unavailable.incrementAndGet();
        if (r.body().contains("replicas confirmed it")) {
          notConfirmed.incrementAndGet();
        }
      } else {
        unexpected.add(r.statusCode() + " " + r.body());
      }
    } catch (IOException e) {
      unexpected.add(e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private long completed(int port) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/queues"))
        .header("Authorization", "Bearer " + ADMIN_KEY).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body()).getJsonArray("queues").stream().map(o -> (JsonObject) o)
        .filter(q -> "simulation".equals(q.getString("service"))).mapToLong(q -> q.getLong("completed")).sum();
  }

  private static int apiPort(Node node) {
    String api = node.lines().stream().filter(l -> l.startsWith("HTTP API")).findFirst().orElseThrow();
    return Integer.parseInt(api.replaceAll(".*:(\\d+)/api/jobs.*", "$1"));
  }
}
