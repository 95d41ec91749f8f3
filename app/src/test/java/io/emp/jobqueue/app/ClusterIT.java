package io.emp.jobqueue.app;

import io.emp.jobqueue.core.telemetry.Attr;
import io.emp.jobqueue.core.telemetry.SpanName;
import static io.emp.jobqueue.app.E2e.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.model.JobEvent;
import io.emp.jobqueue.core.model.JobStatus;
import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.emp.jobqueue.testing.OtlpReceiver;
import io.emp.jobqueue.testing.OtlpReceiver.ReceivedSpan;
import io.emp.jobqueue.testing.TestRedis;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * One cluster of real JVMs from the fat jar on loopback: two API nodes, one queue node, two
 * machine nodes (simulation workers), sharing one Redis and one clustered event bus, exporting their
 * spans to one OTLP receiver here. The scenarios run in order on the same cluster; the last one kills
 * nodes. Hazelcast joins without a wait; the JVMs start in parallel with small heaps.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
  static final Duration START = Duration.ofSeconds(180);
  static final Duration WAIT = Duration.ofSeconds(60);
  /** The Redis fallback of a cancel: the worker sees the flag at its next renewal, this long after. */
  static final long RENEW_INTERVAL_MS = 10_000;

  @TempDir
  static Path tmp;

  TestRedis redis;
  Vertx vertx;
  OtlpReceiver otlp;
  int otlpPort;
  final String clusterName = "it-" + UUID.randomUUID().toString().substring(0, 8);
  final Map<String, Integer> hzPorts = new LinkedHashMap<>();
  final Map<String, ChildNode> nodes = new ConcurrentHashMap<>();
  int http1;
  int http2;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  final List<Socket> sockets = new CopyOnWriteArrayList<>();
  /** Bodies of the 503 answers the submitting clients got. */
  final List<String> unavailable = new CopyOnWriteArrayList<>();
  /** When each of those 503 answers came (for the figures in docs/reliability.md). */
  final List<Long> unavailableAt = new CopyOnWriteArrayList<>();

  @BeforeAll
  void startCluster() throws Exception {
    redis = TestRedis.start();
    vertx = Vertx.vertx();
    otlp = new OtlpReceiver();
    otlpPort = E2e.get(otlp.start(vertx));
    for (String n : List.of("api1", "api2", "queue", "m1", "m2", "queue2")) {
      hzPorts.put(n, TestRedis.freePort());
    }
    http1 = TestRedis.freePort();
    http2 = TestRedis.freePort();
    start("api1", "api", http1);
    start("api2", "api", http2);
    start("queue", "queue", 0);
    start("m1", "machine", 0);
    awaitUp("api1", "api2", "queue", "m1");
    await().atMost(START).until(() -> members(http1).size() == 4 && members(http2).size() == 4);
  }

  @AfterAll
  void stopCluster() throws Exception {
    sockets.forEach(Socket::close);
    for (ChildNode n : nodes.values()) {
      n.destroy();
    }
    if (otlp != null) {
      E2e.get(otlp.stop());
    }
    if (vertx != null) {
      E2e.get(vertx.close());
    }
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  @Order(1)
  void aMachineThatJoinsAppearsOnBothApiNodesMonitorStreams() throws Exception {
    Socket mon1 = socket(http1, "/ws/monitor");
    Socket mon2 = socket(http2, "/ws/monitor");
    await().atMost(WAIT).until(() -> mon1.has(type("full_state_snapshot")) && mon2.has(type("full_state_snapshot")));

    start("m2", "machine", 0);

    Predicate<JsonObject> m2Status = type("machine_status").and(m -> "m2".equals(m.getString("machine_id")));
    Predicate<JsonObject> m2Heartbeat = type("worker_heartbeat").and(m -> "m2".equals(m.getString("machine_id")));
    await().atMost(START).until(() -> mon1.has(m2Status) && mon2.has(m2Status));
    await().atMost(WAIT).until(() -> mon1.has(m2Heartbeat) && mon2.has(m2Heartbeat));
    awaitUp("m2");
    assertThat(mon1.first(m2Status).getJsonObject("structure").getJsonObject("workers").fieldNames())
        .allMatch(w -> w.startsWith("m2-"));

    // GET /api/cluster on either node: every member with its roles
    await().atMost(WAIT).until(() -> members(http2).size() == 5);
    List<JsonObject> members = members(http2);
    assertThat(members).extracting(m -> m.getJsonArray("roles").encode())
        .containsExactlyInAnyOrder("[\"api\"]", "[\"api\"]", "[\"queue\"]", "[\"machine\"]", "[\"machine\"]");
    assertThat(members).filteredOn(m -> m.getJsonArray("roles").contains("machine"))
        .extracting(m -> m.getString("machine_id")).containsExactlyInAnyOrder("m1", "m2");
    assertThat(members).filteredOn(m -> m.getBoolean("self")).singleElement()
        .satisfies(m -> assertThat(m.getInteger("http_port")).isEqualTo(http2));
    assertThat(members).allSatisfy(m -> {
      assertThat(m.getString("host")).isEqualTo("127.0.0.1");
      assertThat(m.getLong("joined_at")).isPositive();
    });
    assertThat(get(http2, "/api/cluster").getBoolean("clustered")).isTrue();
    mon1.close();
    mon2.close();
  }

  @Test
  @Order(2)
  void aJobSubmittedOnNode1AndWatchedOnNode2IsOneTraceAcrossEveryJvm() throws Exception {
    Socket client = socket(http2, "/ws");
    await().atMost(WAIT).until(() -> client.has(type("connection_established")));
    String session = client.first(type("connection_established")).getString("session_id");

    JsonObject submitted = submit(http1, job(10, 100), null);
    String jobId = submitted.getString("job_id");
    String traceId = submitted.getString("trace_id");
    client.send(new JsonObject().put("type", "subscribe").put("job_id", jobId).put("last_seq", 0));
    await().atMost(WAIT).until(() -> client.has(type(JobEvent.COMPLETED).and(m -> jobId.equals(m.getString("job_id")))));

    Map<String, String> roleOf = new HashMap<>();
    Map<String, String> nodeOf = new HashMap<>();
    for (JsonObject m : members(http1)) {
      String role = m.getJsonArray("roles").getString(0);
      roleOf.put(m.getString("node_id"), role);
      if (role.equals("queue")) {
        nodeOf.put("queue", m.getString("node_id"));
      } else if (m.getInteger("http_port", -1) == http1) {
        nodeOf.put("api1", m.getString("node_id"));
      }
    }
    String send = SpanName.busSend("emp.queue.submit");
    String process = SpanName.busProcess("emp.queue.submit");
    Predicate<ReceivedSpan> broadcastToNode2 = s -> s.name().equals(SpanName.WS_BROADCAST)
        && session.equals(s.attr(Attr.WS_SESSION_ID));
    await().atMost(WAIT).until(() -> {
      List<ReceivedSpan> t = otlp.trace(traceId);
      Set<String> names = t.stream().map(ReceivedSpan::name).collect(Collectors.toSet());
      return names.containsAll(List.of(SpanName.HTTP_REQUEST, send, process, SpanName.REDIS_SUBMIT,
          SpanName.REDIS_CLAIM, SpanName.JOB_PROCESSING)) && t.stream().anyMatch(broadcastToNode2);
    });
    List<ReceivedSpan> trace = otlp.trace(traceId);
    ReceivedSpan request = one(trace, SpanName.HTTP_REQUEST);
    ReceivedSpan sent = one(trace, send);
    ReceivedSpan handled = one(trace, process);
    ReceivedSpan stored = one(trace, SpanName.REDIS_SUBMIT);
    ReceivedSpan claim = one(trace, SpanName.REDIS_CLAIM);
    ReceivedSpan processing = one(trace, SpanName.JOB_PROCESSING);
    ReceivedSpan broadcast = trace.stream().filter(broadcastToNode2).findFirst().orElseThrow();

    // API node 1: the HTTP request and the event-bus request it makes
    assertThat(request.parentSpanId()).isEmpty();
    assertThat(sent.parentSpanId()).isEqualTo(request.spanId());
    assertThat(sent.kind()).isEqualTo(SpanKind.SPAN_KIND_CLIENT);
    assertThat(sent.attr(Attr.CLUSTER_NODE_ID)).isEqualTo(nodeOf.get("api1"));
    // the queue node: the hop's other end, and the submit under it
    assertThat(handled.parentSpanId()).isEqualTo(sent.spanId());
    assertThat(handled.kind()).isEqualTo(SpanKind.SPAN_KIND_SERVER);
    assertThat(handled.attr(Attr.CLUSTER_NODE_ID)).isEqualTo(nodeOf.get("queue"));
    assertThat(stored.parentSpanId()).isEqualTo(handled.spanId());
    // a machine node: the claim continues from the context stored with the job
    assertThat(claim.parentSpanId()).isEqualTo(stored.spanId());
    assertThat(claim.attr(Attr.WORKER_ID)).asString().matches("m[12]-worker-simulation-\\d+");
    assertThat(processing.parentSpanId()).isEqualTo(claim.spanId());
    // API node 2: the live event delivered to the socket watching the job
    assertThat(broadcast.attr(Attr.EVENT_JOB_ID)).isEqualTo(jobId);
    assertThat(roleOf.get(sent.attr(Attr.CLUSTER_NODE_ID))).isEqualTo("api");
    client.close();
  }

  @Test
  @Order(3)
  void aCancelSentToNode2StopsTheJobOnItsMachineThroughTheBus() throws Exception {
    List<Long> latencies = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String jobId = submit(http1, job(600, 100), null).getString("job_id");
      await().atMost(WAIT).until(() -> {
        JsonObject j = get(http2, "/api/jobs/" + jobId);
        return "in_progress".equals(j.getString("status")) && j.getInteger("progress", 0) > 0;
      });
      HttpResponse<String> r = post(http2, "/api/jobs/" + jobId + "/cancel", "{}");
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(new JsonObject(r.body()).getString("outcome")).isEqualTo("requested");
      await().atMost(WAIT).until(() -> "cancelled".equals(get(http2, "/api/jobs/" + jobId).getString("status")));
      // both times from the Redis clock: the cancel request stored, and the worker's answer written
      JsonArray events = get(http2, "/api/jobs/" + jobId + "/events").getJsonArray("events");
      long requested = ts(events, JobEvent.CANCEL_REQUESTED);
      long cancelled = ts(events, JobEvent.CANCELLED);
      latencies.add(cancelled - requested);
    }
    System.out.println("[ClusterIT] cancel request -> job cancelled by its worker on another JVM (ms): " + latencies);
    // the lease renewal (the Redis fallback) would come only RENEW_INTERVAL_MS after the claim
    assertThat(latencies).allMatch(ms -> ms < 1_000, "each under 1 s, far below the " + RENEW_INTERVAL_MS
        + " ms renewal");
  }

  @Test
  @Order(4)
  void aPauseOnNode1StopsClaimsOnBothMachinesUntilResumed() throws Exception {
    Socket mon = socket(http2, "/ws/monitor");
    await().atMost(WAIT).until(() -> mon.has(type("full_state_snapshot")));

    HttpResponse<String> paused = post(http1, "/api/queues/simulation/pause", "");
    assertThat(paused.statusCode()).as(paused.body()).isEqualTo(200);
    assertThat(new JsonObject(paused.body())).isEqualTo(new JsonObject().put("service", "simulation")
        .put("paused", true));
    // every worker on both machines heard the broadcast (and says so on the monitor plane of node 2)
    for (String machine : List.of("m1", "m2")) {
      await().atMost(WAIT).until(() -> mon.has(type("worker_status").and(m -> machine.equals(m.getString("machine_id"))
          && m.getJsonArray("paused_services").contains("simulation"))));
    }
    await().atMost(WAIT).until(() -> mon.has(type("queue_paused").and(m -> "simulation".equals(m.getString("service")))));
    assertThat(mon.first(type("queue_paused")).getString("by")).contains("admin key");

    // submits are still accepted; nothing is claimed while paused
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ids.add(submit(http2, job(1, 10), null).getString("job_id"));
    }
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
        .until(() -> allInStatus(http1, ids, "pending"));
    JsonObject queue = queueOf(get(http2, "/api/queues"), "simulation");
    assertThat(queue.getBoolean("paused")).isTrue();
    assertThat(queue.getLong("pending")).isGreaterThanOrEqualTo(4);
    assertThat(nodes.get("queue").output()).contains("audit: service 'simulation' paused by admin key");

    HttpResponse<String> resumed = post(http1, "/api/queues/simulation/resume", "");
    assertThat(new JsonObject(resumed.body())).isEqualTo(new JsonObject().put("service", "simulation")
        .put("paused", false));
    await().atMost(WAIT).until(() -> allInStatus(http1, ids, "completed"));
    assertThat(queueOf(get(http1, "/api/queues"), "simulation").getBoolean("paused")).isFalse();
    mon.close();
  }

  @Test
  @Order(5)
  void killingTheQueueNodeAndOneApiNodeWhile500JobsRunLosesAndDuplicatesNothing() throws Exception {
    int total = 500;
    long completedBefore = queueOf(get(http2, "/api/queues"), "simulation").getLong("completed");
    String run = UUID.randomUUID().toString().substring(0, 8);
    Map<Integer, String> ids = new ConcurrentHashMap<>();
    Map<Integer, Long> acceptedAt = new ConcurrentHashMap<>();
    AtomicInteger accepted = new AtomicInteger();
    Set<Integer> deadPorts = ConcurrentHashMap.newKeySet();
    ExecutorService pool = Executors.newFixedThreadPool(12);
    List<Future<?>> submits = new ArrayList<>();
    // the later submissions wait for the kills, so some of them always meet the time without a queue node
    CountDownLatch killed = new CountDownLatch(1);
    for (int i = 0; i < total; i++) {
      int n = i;
      submits.add(pool.submit(() -> {
        if (n >= 200) {
          killed.await();
        }
        ids.put(n, submitUntilAccepted(n % 2 == 0 ? http1 : http2, run + "-" + n, deadPorts));
        acceptedAt.put(n, System.currentTimeMillis());
        accepted.incrementAndGet();
        return null;
      }));
    }
    await().atMost(WAIT).until(() -> accepted.get() >= 150);
    deadPorts.add(http1);
    int unavailableBefore = unavailable.size();
    long killedAt = System.currentTimeMillis();
    nodes.get("queue").kill();
    nodes.get("api1").kill();
    killed.countDown();
    // while no queue node is up, API node 2 answers 503 (clients retry); only then does a replacement
    // queue node come up, as an orchestrator would start one. Waiting for a 503 after the kill makes
    // the outage window certain, however fast the cluster notices. Which 503 depends on that: "no node
    // with the queue role is reachable" once Hazelcast has dropped the dead members (~4 s here), "did
    // not answer in time" before that. After this double kill API node 2 sometimes did not see either
    // member leave for over a minute (its log shows no "left" line), so waiting for the first kind only
    // made this test fail now and then (3 of 11 runs this stop).
    await().atMost(WAIT).until(() -> List.copyOf(unavailable).stream().skip(unavailableBefore)
        .anyMatch(b -> b.contains("no node with the queue role is reachable") || b.contains("did not answer in time")));
    start("queue2", "queue", 0);
    for (Future<?> f : submits) {
      f.get(START.toSeconds(), TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertThat(new HashSet<>(ids.values())).as("one job per submission").hasSize(total);

    JobStore store = E2e.get(JobStore.connect(vertx, StoreConfig.defaults(redis.url())));
    try {
      await().atMost(START).until(() -> ids.values().stream().allMatch(id ->
          E2e.get(store.get(id)).map(Job::status).orElse(null) == JobStatus.COMPLETED));
      long lastCompleted = 0;
      for (String id : ids.values()) {
        List<JobEvent> events = E2e.get(store.queries().events(id, 0, 1000));
        assertThat(events).filteredOn(e -> JobEvent.COMPLETED.equals(e.type())).as("completions of " + id).hasSize(1);
        assertThat(events).filteredOn(e -> JobEvent.SUBMITTED.equals(e.type())).as("submits of " + id).hasSize(1);
        lastCompleted = Math.max(lastCompleted, E2e.get(store.get(id)).orElseThrow().completedAt());
      }
      // recorded for docs/reliability.md: how long submits could not be accepted, and when the run was done
      long last503 = unavailableAt.stream().mapToLong(Long::longValue).max().orElse(killedAt);
      long acceptedAgain = acceptedAt.values().stream().filter(t -> t > last503).mapToLong(Long::longValue).min()
          .orElseThrow();
      System.out.println("[reliability] queue node + API node kill -9 during " + total + " submits: kill -> last 503 "
          + (last503 - killedAt) + " ms, kill -> submits accepted again " + (acceptedAgain - killedAt) + " ms, 503 "
          + "answers " + (unavailable.size() - unavailableBefore) + ", kill -> last of the " + total
          + " jobs completed " + (lastCompleted - killedAt) + " ms; lost 0, duplicated 0");
    } finally {
      E2e.get(store.close());
    }
    awaitUp("queue2");
    JsonObject after = queueOf(get(http2, "/api/queues"), "simulation");
    assertThat(after.getLong("completed") - completedBefore).as("jobs completed by this scenario").isEqualTo(total);
    assertThat(after.getLong("pending")).isZero();
    assertThat(after.getLong("active")).isZero();
  }

  // ---- the cluster ------------------------------------------------------------------------------

  private void start(String name, String roles, int httpPort) throws IOException {
    Map<String, String> env = new HashMap<>();
    env.put("REDIS_URL", redis.url());
    env.put("EMP_API_KEYS", ADMIN_KEY + ":*:admin");
    env.put("EMP_CLUSTER", "1");
    env.put("EMP_CLUSTER_NAME", clusterName);
    env.put("EMP_CLUSTER_MEMBERS", hzPorts.values().stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(",")));
    env.put("EMP_CLUSTER_HOST", "127.0.0.1");
    env.put("EMP_CLUSTER_PORT", Integer.toString(hzPorts.get(name)));
    env.put("EMP_HTTP_PORT", Integer.toString(httpPort));
    env.put("EMP_DATA_DIR", tmp.resolve(name).resolve("data").toString());
    env.put("EMP_MACHINE_ID", name);
    env.put("EMP_SAMPLING", "off");
    env.put("OTEL_TRACES_EXPORTER", "otlp");
    env.put("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
    env.put("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + otlpPort);
    env.put("OTEL_BSP_SCHEDULE_DELAY", "200");
    nodes.put(name, ChildNode.start(tmp, name, roles, env, cfg -> {
      cfg.getJsonObject("worker").put("lease_ms", 30_000).put("renew_interval_ms", RENEW_INTERVAL_MS);
      cfg.getJsonObject("machine").put("heartbeat_interval_ms", 500).put("status_interval_ms", 1_000)
          .put("registration_ttl_ms", 5_000);
    }));
  }

  private void awaitUp(String... names) {
    await().atMost(START).pollInterval(Duration.ofMillis(250))
        .until(() -> List.of(names).stream().allMatch(n -> nodes.get(n).up()));
  }

  private List<JsonObject> members(int port) {
    try {
      JsonArray a = get(port, "/api/cluster").getJsonArray("members");
      List<JsonObject> out = new ArrayList<>();
      a.forEach(o -> out.add((JsonObject) o));
      return out;
    } catch (Exception e) {
      return List.of();
    }
  }

  // ---- HTTP ---------------------------------------------------------------------------------------

  private static JsonObject job(int steps, int stepMs) {
    return new JsonObject().put("service_required", "simulation")
        .put("payload", new JsonObject().put("steps", steps).put("step_ms", stepMs));
  }

  private JsonObject submit(int port, JsonObject body, String idempotencyKey) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/jobs"))
        .header("Authorization", "Bearer " + ADMIN_KEY).header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString(body.encode()));
    if (idempotencyKey != null) {
      b.header("Idempotency-Key", idempotencyKey);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() == 503) {
      unavailable.add(r.body());
      unavailableAt.add(System.currentTimeMillis());
      throw new IOException("submit answered 503: " + r.body());
    }
    assertThat(r.statusCode()).as(r.body()).isIn(200, 201);
    return new JsonObject(r.body());
  }

  /**
   * What a client does: the same idempotency key until an API node accepts it, on the other node
   * when one is gone, again after a pause on a 503 or a lost connection.
   */
  private String submitUntilAccepted(int port, String key, Set<Integer> deadPorts) throws Exception {
    long deadline = System.nanoTime() + START.toNanos();
    int target = port;
    while (true) {
      if (deadPorts.contains(target)) {
        target = http2;
      }
      try {
        return submit(target, job(1, 10), key).getString("job_id");
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        target = target == http1 ? http2 : target;
        Thread.sleep(200); // a client's back-off between retries, not test synchronisation
      }
    }
  }

  private HttpResponse<String> post(int port, String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Authorization", "Bearer " + ADMIN_KEY).header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private JsonObject get(int port, String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Authorization", "Bearer " + ADMIN_KEY).timeout(Duration.ofSeconds(20)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
    return new JsonObject(r.body());
  }

  private boolean allInStatus(int port, List<String> jobIds, String status) throws Exception {
    for (String id : jobIds) {
      if (!status.equals(get(port, "/api/jobs/" + id).getString("status"))) {
        return false;
      }
    }
    return true;
  }

  private static JsonObject queueOf(JsonObject queues, String service) {
    return queues.getJsonArray("queues").stream().map(o -> (JsonObject) o)
        .filter(q -> service.equals(q.getString("service"))).findFirst().orElseThrow();
  }

  private static long ts(JsonArray events, String type) {
    return events.stream().map(o -> (JsonObject) o).filter(e -> type.equals(e.getString("type"))).findFirst()
        .orElseThrow(() -> new AssertionError("no " + type + " in " + events.encode())).getLong("ts");
  }

  private static ReceivedSpan one(List<ReceivedSpan> trace, String name) {
    List<ReceivedSpan> found = trace.stream().filter(s -> s.name().equals(name)).toList();
    assertThat(found).as("spans named " + name + " in " + trace.stream().map(ReceivedSpan::name).toList()).hasSize(1);
    return found.get(0);
  }

  private static Predicate<JsonObject> type(String type) {
    return m -> type.equals(m.getString("type"));
  }

  // ---- WebSocket ----------------------------------------------------------------------------------

  private Socket socket(int port, String path) {
    Socket s = new Socket();
    s.ws = http.newWebSocketBuilder().header("Authorization", "Bearer " + ADMIN_KEY)
        .buildAsync(URI.create("ws://127.0.0.1:" + port + path), s).join();
    sockets.add(s);
    return s;
  }

  /** A WebSocket that keeps every JSON message it receives. */
  static final class Socket implements WebSocket.Listener {
    final List<JsonObject> messages = new CopyOnWriteArrayList<>();
    private StringBuilder partial = new StringBuilder();
    WebSocket ws;

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        messages.add(new JsonObject(partial.toString()));
        partial = new StringBuilder();
      }
      webSocket.request(1);
      return null;
    }

    void send(JsonObject msg) {
      ws.sendText(msg.encode(), true).join();
    }

    boolean has(Predicate<JsonObject> p) {
      return messages.stream().anyMatch(p);
    }

    JsonObject first(Predicate<JsonObject> p) {
      return messages.stream().filter(p).findFirst().orElseThrow();
    }

    void close() {
      if (ws != null && !ws.isOutputClosed()) {
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "done");
      }
    }
  }
}
