package io.emp.jobqueue.queue.store;

import static io.emp.jobqueue.queue.store.StoreTestSupport.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.emp.jobqueue.core.model.Failure;
import io.emp.jobqueue.core.model.JobEvent;
import io.emp.jobqueue.core.model.JobSpec;
import io.emp.jobqueue.core.model.JobStatus;
import io.emp.jobqueue.core.model.WorkerCapabilities;
import io.emp.jobqueue.testing.TestRedisCluster;
import io.emp.jobqueue.testing.TestSentinels;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The store sharded over a real 3-master Redis Cluster (each master with a replica): every feature
 * across shards, a shard's slot moved to another master while jobs run, and kill -9 of a master
 * with its replica taking over.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterStoreTest {
  static final int SHARDS = 6;
  static final Duration WAIT = Duration.ofSeconds(60);
  static TestRedisCluster cluster;
  static Vertx vertx;

  @BeforeAll
  static void start() {
    cluster = TestRedisCluster.start(3, 1);
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    get(vertx.close());
    cluster.close();
  }

  static StoreConfig config() {
    return StoreConfig.defaults(cluster.url()).withNamespace("c" + UUID.randomUUID().toString().substring(0, 8))
        .withShards(SHARDS).withRetry(new RetryPolicy(20, 100, 0.0, 0));
  }

  @Test
  @Order(1)
  void theShardsSpreadEvenlyOverTheMastersAndEveryFeatureWorksAcrossThem() {
    JobStore store = get(JobStore.connect(vertx, config()));
    try {
      Map<Integer, Long> shardsPerMaster = store.shards().all().stream()
          .collect(Collectors.groupingBy(k -> cluster.portOfSlot(k.slot()), Collectors.counting()));
      assertThat(shardsPerMaster).as("two shards on each master").hasSize(3).allSatisfy((port, n) -> assertThat(n).isEqualTo(2));

      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        ids.add(get(store.submit(JobSpec.of(i % 2 == 0 ? "a" : "b", 50, new JsonObject().put("i", i))
            .withCustomer("cust"))).jobId());
      }
      assertThat(ids.stream().map(id -> store.shards().of(id)).distinct()).as("jobs on every shard").hasSize(SHARDS);
      assertThat(pending(store, "a")).isEqualTo(30);
      assertThat(pending(store, "b")).isEqualTo(30);

      // one worker of both services claims every job, each once, from every shard
      WorkerCapabilities both = WorkerCapabilities.of("w1", "a", "b");
      Set<String> claimed = new HashSet<>();
      List<ClaimedJob> held = new ArrayList<>();
      while (claimed.size() < 60) {
        ClaimBatch b = get(store.claim(new ClaimRequest(both, 100, 60_000, 16)));
        assertThat(b.jobs()).as("claims until all 60 are taken").isNotEmpty();
        b.jobs().forEach(c -> assertThat(claimed.add(c.job().id())).as("claimed once: " + c.job().id()).isTrue());
        held.addAll(b.jobs());
      }
      assertThat(get(store.claim(new ClaimRequest(both, 100, 60_000, 16))).jobs()).isEmpty();
      for (int i = 0; i < held.size(); i++) {
        ClaimedJob c = held.get(i);
        if (i < 10) {
          get(store.fail(c.job().id(), c.token(), Failure.permanent("validation_error", "bad"), null));
        } else {
          get(store.complete(c.job().id(), c.token(), new JsonObject(), null));
        }
      }
      List<ServiceStats> stats = get(store.queries().stats());
      assertThat(stats.stream().mapToLong(ServiceStats::completed).sum()).isEqualTo(50);
      assertThat(stats.stream().mapToLong(ServiceStats::failed).sum()).isEqualTo(10);

      // the browser pages through every shard: newest first, none skipped or repeated
      List<String> browsed = new ArrayList<>();
      List<Long> created = new ArrayList<>();
      String cursor = null;
      do {
        BrowsePage page = get(store.queries().browse(JobFilter.ANY.withCustomer("cust"), 7, cursor));
        page.jobs().forEach(j -> {
          browsed.add(j.getString(io.emp.jobqueue.core.model.Job.F.ID));
          created.add(Long.parseLong(String.valueOf(j.getValue(io.emp.jobqueue.core.model.Job.F.CREATED_AT))));
        });
        cursor = page.nextCursor();
      } while (cursor != null);
      assertThat(browsed).hasSize(60).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(ids);
      assertThat(created).isSortedAccordingTo(java.util.Comparator.reverseOrder());
      Set<String> listed = new HashSet<>();
      String lc = null;
      do {
        JobPage page = get(store.queries().list(JobStatus.COMPLETED, null, 7, lc));
        page.jobs().forEach(j -> assertThat(listed.add(j.id())).as("listed once").isTrue());
        lc = page.nextCursor();
      } while (lc != null);
      assertThat(listed).hasSize(50);

      // a bulk retry takes the failed jobs of every shard
      List<String> failed = get(store.operator().selectForRetry(JobStatus.FAILED, null, null, null, null, 100));
      assertThat(failed).hasSize(10);
      var retried = get(store.operator().retryAll(failed.stream()
          .map(id -> Map.entry(id, io.emp.jobqueue.core.model.TraceContext.EMPTY)).toList(), "op"));
      assertThat(retried).allMatch(Future::succeeded);
      assertThat(pending(store, "a") + pending(store, "b")).isEqualTo(10);

      // each shard's event stream holds its jobs' events, in order per job
      Map<String, List<Long>> seqs = new HashMap<>();
      for (RedisKeys shard : store.shards().all()) {
        EventTail tail = EventTail.perShard(vertx, store.config()).get(store.shards().all().indexOf(shard));
        try {
          for (JobEvent e : get(tail.readAfter("0-0", 1, 10_000))) {
            assertThat(store.shards().of(e.jobId())).as("an event is in its job's shard").isEqualTo(shard);
            seqs.computeIfAbsent(e.jobId(), k -> new ArrayList<>()).add(e.seq());
          }
        } finally {
          get(tail.close());
        }
      }
      assertThat(seqs.keySet()).containsExactlyInAnyOrderElementsOf(ids);
      seqs.forEach((id, s) -> assertThat(s).as(id).isSorted().doesNotHaveDuplicates());
      assertThat(get(store.queries().globalEvents("0-0", 100_000))).hasSize(seqs.values().stream().mapToInt(List::size).sum());

      assertThat(get(store.trimIndexes())).isZero();
      assertThat(get(store.reapExpiredLeases(100))).isZero();
      assertThat(get(store.promoteDue(100))).isGreaterThanOrEqualTo(0);
    } finally {
      get(store.close());
    }
  }

  @Test
  @Order(1)
  void idempotencyWorkflowsAndPauseHoldAcrossShards() {
    JobStore store = get(JobStore.connect(vertx, config()));
    try {
      SubmitResult first = get(store.submit(JobSpec.of("a", 50, new JsonObject()).withIdempotencyKey("key-1")));
      SubmitResult again = get(store.submit(JobSpec.of("a", 50, new JsonObject()).withIdempotencyKey("key-1")));
      assertThat(again.created()).isFalse();
      assertThat(again.jobId()).isEqualTo(first.jobId());
      SubmitResult byId = get(store.submit(JobSpec.of("a", 50, new JsonObject()).withId("order-7")));
      assertThat(get(store.submit(JobSpec.of("a", 50, new JsonObject()).withId("order-7"))).created()).isFalse();
      assertThat(get(store.get(byId.jobId()))).isPresent();

      List<SubmitResult> steps = new ArrayList<>();
      for (int i = 1; i <= 3; i++) {
        steps.add(get(store.submit(JobSpec.of("b", 50, new JsonObject()).withWorkflow("wf-1", null, null, i, 3))));
      }
      assertThat(steps.stream().map(s -> store.shards().of(s.jobId())).distinct()).as("a workflow's steps share a shard")
          .hasSize(1);
      assertThat(steps.get(2).earlierSteps()).containsOnlyKeys(steps.get(0).jobId(), steps.get(1).jobId());
      assertThat(get(store.queries().workflowSteps("wf-1"))).hasSize(3);

      assertThat(get(store.operator().pause("a"))).isTrue();
      assertThat(get(store.operator().pausedServices())).containsExactly("a");
      WorkerCapabilities onlyA = WorkerCapabilities.of("w2", "a");
      assertThat(get(store.claim(new ClaimRequest(onlyA, 100, 60_000, 8))).jobs()).as("paused on every shard").isEmpty();
      assertThat(get(store.operator().resume("a"))).isTrue();
      assertThat(get(store.claim(new ClaimRequest(onlyA, 100, 60_000, 8))).jobs()).hasSize(2);
    } finally {
      get(store.close());
    }
  }

  @Test
  @Order(1)
  void retentionEndsFinishedJobsOnEveryShard() {
    StoreConfig shortLived = StoreConfig.from(new JsonObject().put("redis_url", cluster.url())
        .put("retention_completed_ms", 1000)).withNamespace(config().namespace()).withShards(SHARDS);
    JobStore store = get(JobStore.connect(vertx, shortLived));
    try {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        ids.add(get(store.submit(JobSpec.of("r", 50, new JsonObject()).withCustomer("ret"))).jobId());
      }
      assertThat(ids.stream().map(id -> store.shards().of(id)).distinct().count()).isGreaterThan(1);
      String waiting = get(store.submit(JobSpec.of("r2", 50, new JsonObject()).withCustomer("ret"))).jobId();
      WorkerCapabilities w = WorkerCapabilities.of("w-ret", "r");
      for (ClaimedJob c : get(store.claim(new ClaimRequest(w, 100, 60_000, 24))).jobs()) {
        get(store.complete(c.job().id(), c.token(), new JsonObject(), null));
      }
      assertThat(get(store.queries().stats()).stream().filter(s -> s.service().equals("r"))
          .mapToLong(ServiceStats::completed).sum()).isEqualTo(24);
      // past retention the trim of every shard drops them from the browser; the pending job stays
      await().atMost(WAIT).until(() -> {
        get(store.trimIndexes());
        return get(store.queries().browse(JobFilter.ANY.withCustomer("ret"), 100, null)).jobs().stream()
            .map(j -> j.getString(io.emp.jobqueue.core.model.Job.F.ID)).toList().equals(List.of(waiting));
      });
      await().atMost(WAIT).until(() -> ids.stream().allMatch(id -> get(store.get(id)).isEmpty()));
    } finally {
      get(store.close());
    }
  }

  @Test
  @Order(1)
  void theSlotRuleIsRedisClustersAndAScriptOnAMovingShardRefusesBeforeTouchingAnything() throws Exception {
    int port = cluster.masterPorts().get(0);
    for (String key : List.of("foo", "{emp}:job:1", "{emp@3}:pending:x", "a{}b", "{}", "😀")) {
      assertThat((long) ClusterSlots.slot(key)).as(key).isEqualTo(TestSentinels.command(port, "CLUSTER", "KEYSLOT", key));
    }
    StoreConfig cfg = config();
    JobStore store = get(JobStore.connect(vertx, cfg));
    try (ShardMover mover = new ShardMover(vertx, cfg)) {
      String id = get(store.submit(JobSpec.of("a", 50, new JsonObject()))).jobId();
      RedisKeys shard = store.shards().of(id);
      int owner = cluster.portOfSlot(shard.slot());
      assertThat(get(mover.shards())).extracting(ShardMover.Shard::node).hasSize(SHARDS)
          .allMatch(n -> n.startsWith("127.0.0.1:"));
      assertThat(TestSentinels.command(owner, "SET", shard.moving(), "1")).isEqualTo("OK");
      String cancel = Scripts.build(cfg).sources().get(Scripts.Name.CANCEL);
      Object reply = TestSentinels.command(owner, "EVAL", cancel, "1", shard.events(), "", id, "test");
      assertThat(reply).isEqualTo("-TRYAGAIN the shard is moving to another cluster node");
      assertThat(TestSentinels.command(owner, "HGET", shard.job(id), "status")).isEqualTo("pending");
      assertThat(TestSentinels.command(owner, "DEL", shard.moving())).isEqualTo(1L);
      assertThat(get(store.cancel(id, "test", null))).isEqualTo(CancelOutcome.CANCELLED);
    } finally {
      get(store.close());
    }
  }

  @Test
  @Order(1)
  void withWaitReplicasAnAcknowledgedSubmitAndCompleteAreOnTheShardsReplicaAndAnUnconfirmedOneIsUnavailable()
      throws Exception {
    JobStore store = get(JobStore.connect(vertx, config().withWaitReplicas(1, 2_000)));
    try {
      WorkerCapabilities w = WorkerCapabilities.of("w-wait", "waited");
      Set<Integer> replicasSeen = new HashSet<>();
      for (int i = 0; i < 24; i++) {
        String id = get(store.submit(JobSpec.of("waited", 50, new JsonObject()))).jobId();
        RedisKeys shard = store.shards().of(id);
        int replica = cluster.replicasOf(cluster.portOfSlot(shard.slot())).get(0);
        replicasSeen.add(replica);
        // read straight after the answer: WAIT returned only once the shard's replica had the write
        assertThat(onReplica(replica, shard.job(id))).as(id).isEqualTo("pending");
        ClaimedJob c = get(store.claim(new ClaimRequest(w, 10, 60_000, 1))).jobs().get(0);
        get(store.complete(c.job().id(), c.token(), new JsonObject(), null));
        RedisKeys cs = store.shards().of(c.job().id());
        assertThat(onReplica(cluster.replicasOf(cluster.portOfSlot(cs.slot())).get(0), cs.job(c.job().id())))
            .isEqualTo("completed");
      }
      assertThat(replicasSeen).as("every master's replica confirmed some").hasSize(3);
      List<SubmitOutcome> batch = get(store.submitAll(java.util.Collections.nCopies(6,
          JobSpec.of("waited", 50, new JsonObject()))));
      assertThat(batch).allMatch(SubmitOutcome::succeeded);

      // a replica that answers nothing: the write reaches its master, unconfirmed, and says so
      JobStore impatient = get(JobStore.connect(vertx, store.config().withWaitReplicas(1, 300)));
      RedisKeys shard = store.shards().all().get(2);
      int replica = cluster.replicasOf(cluster.portOfSlot(shard.slot())).get(0);
      cluster.freeze(replica, true);
      try {
        String id = "frozen-" + UUID.randomUUID();
        while (!impatient.shards().of(id).prefix().equals(shard.prefix())) {
          id = "frozen-" + UUID.randomUUID();
        }
        String onFrozen = id;
        assertThatThrownBy(() -> get(impatient.submit(JobSpec.of("waited", 50, new JsonObject()).withId(onFrozen))))
            .isInstanceOfSatisfying(io.emp.jobqueue.core.model.JobQueueException.class, e -> {
              assertThat(e.code()).isEqualTo(io.emp.jobqueue.core.model.JobQueueException.Code.UNAVAILABLE);
              assertThat(e.getMessage()).contains("0 of 1 replicas");
            });
      } finally {
        cluster.freeze(replica, false);
        get(impatient.close());
      }
    } finally {
      get(store.close());
    }
  }

  @Test
  @Order(2)
  void movingAShardToAnotherMasterWhileJobsRunLosesAndRepeatsNothing() throws Exception {
    // with wait_replicas, submits and completes go straight to the shard's master (ShardMasters) and must
    // follow the move themselves; claims go through the cluster client
    JobStore store = get(JobStore.connect(vertx, config().withWaitReplicas(1, 2_000)));
    Load load = new Load(store);
    try {
      load.start(2, 2);
      await().atMost(WAIT).until(() -> load.completed.size() >= 100);
      RedisKeys shard = store.shards().all().get(0);
      int from = cluster.portOfSlot(shard.slot());
      int to = cluster.masterPorts().stream().filter(p -> p != from).findFirst().orElseThrow();
      int before = load.completed.size();
      long took;
      try (ShardMover mover = new ShardMover(vertx, store.config())) {
        long t0 = System.nanoTime();
        ShardMover.Shard moved = get(mover.move(0, "127.0.0.1:" + to));
        took = (System.nanoTime() - t0) / 1_000_000;
        assertThat(moved.node()).isEqualTo("127.0.0.1:" + to);
        assertThat(get(mover.shards()).get(0).node()).isEqualTo("127.0.0.1:" + to);
        assertThat(get(mover.move(0, "127.0.0.1:" + to))).as("a rerun changes nothing").isEqualTo(moved);
        // round the other masters and back, still under load: each move freezes, hands over and thaws
        for (int p : cluster.masterPorts().stream().filter(p -> p != to).toList()) {
          assertThat(get(mover.move(0, "127.0.0.1:" + p)).node()).isEqualTo("127.0.0.1:" + p);
        }
        get(mover.move(0, "127.0.0.1:" + to));
      }
      assertThat(cluster.portOfSlot(shard.slot())).isEqualTo(to);
      assertThat(TestSentinels.command(to, "EXISTS", shard.moving())).as("the flag is cleared").isEqualTo(0L);
      System.out.printf("shard move under load: first move %d ms, %d keys in the shard's slot%n", took,
          TestSentinels.command(to, "CLUSTER", "COUNTKEYSINSLOT", Integer.toString(shard.slot())));
      await().atMost(WAIT).until(() -> load.completed.size() >= before + 200);
      load.stopSubmitting();
      await().atMost(WAIT).untilAsserted(() -> assertThat(load.completed.keySet()).containsAll(load.acked));
      assertThat(load.completed).as("every job completed exactly once").allSatisfy((id, n) -> assertThat(n.get()).isEqualTo(1));
      assertThat(load.acked.stream().filter(id -> store.shards().of(id) == shard)).as("jobs of the moved shard").isNotEmpty();
      assertThat(load.errors).as("no error but 'unavailable' reached a caller").allMatch(m -> m.contains("unavailable"));
    } finally {
      load.stop();
      get(store.close());
    }
  }

  @Test
  @Order(3)
  void killingAMasterLetsItsReplicaTakeOverAndReplicatedJobsEndOnce() throws Exception {
    JobStore store = get(JobStore.connect(vertx, config().withConnectTimeout(0)));
    Load load = new Load(store);
    try {
      load.start(2, 2);
      await().atMost(WAIT).until(() -> load.acked.size() >= 200);
      RedisKeys shard = store.shards().all().get(1);
      int master = cluster.portOfSlot(shard.slot());
      // what the replica holds before the kill: every job acknowledged up to here
      Set<String> replicated = Set.copyOf(load.acked);
      long offset = replOffset(master, "master_repl_offset");
      int replica = cluster.replicasOf(master).get(0);
      await().atMost(WAIT).until(() -> replOffset(replica, "slave_repl_offset") >= offset);
      cluster.kill(master);
      int promoted = cluster.awaitFailover(master);
      assertThat(cluster.portOfSlot(shard.slot())).isEqualTo(promoted);
      int after = load.acked.size();
      await("submits and claims go on, on the new master").atMost(WAIT).until(() -> load.acked.size() >= after + 100
          && load.acked.stream().skip(after).anyMatch(id -> store.shards().of(id) == shard));
      load.stopSubmitting();
      // leases of jobs whose claim or completion the dead master took with it run out and are retried
      await().atMost(WAIT).untilAsserted(() -> {
        get(store.reapExpiredLeases(1000));
        get(store.promoteDue(1000));
        for (String id : replicated) {
          assertThat(get(store.get(id))).as(id).hasValueSatisfying(j -> assertThat(j.status()).isEqualTo(JobStatus.COMPLETED));
        }
      });
      long lost = load.acked.stream().filter(id -> get(store.get(id)).isEmpty()).count();
      System.out.printf("failover: %d acknowledged, %d replicated before the kill, %d lost after it, %d completed twice%n",
          load.acked.size(), replicated.size(), lost, load.completed.values().stream().filter(n -> n.get() > 1).count());
    } finally {
      load.stop();
      get(store.close());
    }
  }

  /** A job's status as a replica holds it (a cluster replica serves reads after READONLY on the connection). */
  static String onReplica(int port, String jobKey) {
    io.vertx.redis.client.Redis r = io.vertx.redis.client.Redis.createClient(vertx, "redis://127.0.0.1:" + port);
    try {
      return get(r.connect().compose(c -> c.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.READONLY))
          .compose(v -> c.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.HGET).arg(jobKey)
              .arg("status")))
          .map(x -> x == null ? null : x.toString()).eventually(c::close)));
    } finally {
      r.close();
    }
  }

  static long replOffset(int port, String field) throws Exception {
    String info = TestSentinels.info(port, "replication");
    return info.lines().filter(l -> l.startsWith(field + ":")).mapToLong(l -> Long.parseLong(l.substring(field.length() + 1).strip()))
        .findFirst().orElse(-1);
  }

  static long pending(JobStore store, String service) {
    return get(store.queries().stats()).stream().filter(s -> s.service().equals(service)).mapToLong(ServiceStats::pending)
        .sum();
  }

  /** Submitters and workers running on the event loop until stopped: what was acknowledged and completed. */
  static final class Load {
    final JobStore store;
    final Set<String> acked = ConcurrentHashMap.newKeySet();
    final Map<String, AtomicInteger> completed = new ConcurrentHashMap<>();
    final List<String> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
    final AtomicBoolean submitting = new AtomicBoolean(true);
    final AtomicBoolean running = new AtomicBoolean(true);

    Load(JobStore store) {
      this.store = store;
    }

    void start(int submitters, int workers) {
      for (int i = 0; i < submitters; i++) {
        vertx.runOnContext(v -> submit());
      }
      for (int i = 0; i < workers; i++) {
        WorkerCapabilities caps = WorkerCapabilities.of("load-" + i, "load");
        vertx.runOnContext(v -> work(caps));
      }
    }

    private void submit() {
      if (!submitting.get() || !running.get()) {
        return;
      }
      store.submit(JobSpec.of("load", 50, new JsonObject())).onComplete(ar -> {
        if (ar.succeeded()) {
          acked.add(ar.result().jobId());
        } else {
          errors.add(String.valueOf(ar.cause().getMessage()));
        }
        later(ar.succeeded() ? 0 : 20, this::submit);
      });
    }

    private void work(WorkerCapabilities caps) {
      if (!running.get()) {
        return;
      }
      store.claim(new ClaimRequest(caps, 100, 3_000, 4))
          .compose(b -> Future.all(b.jobs().stream().map(c -> store.complete(c.job().id(), c.token(), new JsonObject(), null)
              .onSuccess(at -> completed.computeIfAbsent(c.job().id(), k -> new AtomicInteger()).incrementAndGet())
              .recover(err -> Future.succeededFuture())).toList()).map(b.jobs().size()))
          .onComplete(ar -> {
            if (ar.failed()) {
              errors.add(String.valueOf(ar.cause().getMessage()));
            }
            later(ar.succeeded() && ar.result() > 0 ? 0 : 10, () -> work(caps));
          });
    }

    private static void later(long ms, Runnable r) {
      if (ms == 0) {
        vertx.runOnContext(v -> r.run());
      } else {
        vertx.setTimer(ms, t -> r.run());
      }
    }

    void stopSubmitting() {
      submitting.set(false);
    }

    void stop() {
      running.set(false);
    }
  }
}
