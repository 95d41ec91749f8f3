package io.emp.jobqueue.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.emp.jobqueue.core.model.JobLimits;
import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.core.model.JobSpec;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.core.model.WorkerCapabilities;
import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.core.telemetry.TelemetryConfig;
import io.emp.jobqueue.queue.control.Controls;
import io.emp.jobqueue.queue.monitor.MonitorNotices;
import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.queue.store.MachineRegistry;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.emp.jobqueue.testing.TestRedis;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The queue's side of the control plane: each control is written to Redis, then signalled on the bus
 * (the worker's own address, or the broadcast to every worker), and shown on the monitor plane.
 */
class ControlPlaneTest {
  static final Duration WAIT = Duration.ofSeconds(20);
  static TestRedis redis;
  static Vertx vertx;
  static Telemetry telemetry;
  static QueueClient client;
  static JobStore store;
  static final List<JsonObject> toWorkers = new CopyOnWriteArrayList<>();
  static final List<JsonObject> monitor = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void deploy() {
    redis = TestRedis.start();
    vertx = Vertx.vertx();
    telemetry = Telemetry.create(TelemetryConfig.DEFAULTS, List.of());
    StoreConfig sc = StoreConfig.defaults(redis.url()).withNamespace("cp" + UUID.randomUUID().toString().substring(0, 6));
    get(vertx.deployVerticle(new QueueVerticle(new QueueConfig(sc, 50, 60_000, 100), telemetry)));
    client = new QueueClient(vertx);
    store = get(JobStore.connect(vertx, sc));
    vertx.eventBus().<JsonObject>consumer(Controls.WORKERS, m -> toWorkers.add(m.body()));
    vertx.eventBus().<JsonObject>consumer(MonitorNotices.CONTROL, m -> monitor.add(m.body()));
  }

  @AfterAll
  static void close() {
    get(vertx.close());
    telemetry.close();
    redis.close();
  }

  static <T> T get(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new RuntimeException(e.getCause());
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  @Test
  void cancellingARunningJobSignalsItsWorkerAtOnceAfterSettingTheFlag() {
    List<JsonObject> signals = new CopyOnWriteArrayList<>();
    List<Boolean> flagSetFirst = new CopyOnWriteArrayList<>();
    vertx.eventBus().<JsonObject>consumer(Controls.worker("cw-1"), m -> {
      signals.add(m.body());
      // the durable record comes first: the worker's renewal would see it even without this message
      store.get(m.body().getString("job_id")).onSuccess(j -> flagSetFirst.add(j.orElseThrow().cancelRequested()));
    });
    String id = get(client.submit(JobSpec.fromJson(new JsonObject().put("service_required", "ctl-sim")
        .put("payload", new JsonObject()), JobLimits.DEFAULTS), TraceContext.EMPTY)).jobId();
    get(store.claim(WorkerCapabilities.of("cw-1", "ctl-sim"), 10, 60_000));

    assertThat(get(client.cancel(id, "changed my mind", TraceContext.EMPTY))).isEqualTo("requested");
    await().atMost(WAIT).until(() -> signals.size() == 1 && flagSetFirst.size() == 1);
    assertThat(signals.get(0).getString("type")).isEqualTo(Controls.CANCEL);
    assertThat(signals.get(0).getString("job_id")).isEqualTo(id);
    assertThat(signals.get(0).getString("reason")).isEqualTo("changed my mind");
    assertThat(flagSetFirst).containsExactly(true);

    // a waiting job has no worker to tell
    String waiting = get(client.submit(JobSpec.fromJson(new JsonObject().put("service_required", "ctl-sim")
        .put("payload", new JsonObject()), JobLimits.DEFAULTS), TraceContext.EMPTY)).jobId();
    assertThat(get(client.cancel(waiting, null, TraceContext.EMPTY))).isEqualTo("cancelled");
    assertThat(signals).hasSize(1);
  }

  @Test
  void pauseAndResumeAreStoredBroadcastToEveryWorkerAndAudited() {
    JsonObject paused = get(client.pause("ctl-paint", "admin key of customer 'ops'", TraceContext.EMPTY));
    assertThat(paused.getString("service")).isEqualTo("ctl-paint");
    assertThat(paused.getBoolean("paused")).isTrue();
    assertThat(get(store.operator().pausedServices())).contains("ctl-paint");
    await().atMost(WAIT).until(() -> toWorkers.stream().anyMatch(m -> Controls.PAUSE.equals(m.getString("type"))
        && "ctl-paint".equals(m.getString("service"))));
    await().atMost(WAIT).until(() -> monitor.stream().anyMatch(m -> "queue_paused".equals(m.getString("type"))
        && "ctl-paint".equals(m.getString("service")) && "admin key of customer 'ops'".equals(m.getString("by"))));
    // the monitor event is also in the Redis monitor stream, for gateways that share only Redis
    assertThat(get(store.redis().send(Request.cmd(Command.XRANGE).arg(store.keys().monitor()).arg("-").arg("+")))
        .toString()).contains("queue_paused").contains(MonitorNotices.CONTROL);

    // listed although no job of it exists yet
    JsonObject q = queue(get(client.queues(TraceContext.EMPTY)), "ctl-paint");
    assertThat(q.getBoolean("paused")).isTrue();
    assertThat(q.getLong("pending")).isZero();

    JsonObject resumed = get(client.resume("ctl-paint", "ops", TraceContext.EMPTY));
    assertThat(resumed.getBoolean("paused")).isFalse();
    assertThat(get(store.operator().pausedServices())).doesNotContain("ctl-paint");
    await().atMost(WAIT).until(() -> toWorkers.stream().anyMatch(m -> Controls.RESUME.equals(m.getString("type"))
        && "ctl-paint".equals(m.getString("service"))));
    await().atMost(WAIT).until(() -> monitor.stream().anyMatch(m -> "queue_resumed".equals(m.getString("type"))));
  }

  @Test
  void queuesListEveryServiceWithItsCountsAndPausedState() {
    for (int i = 0; i < 3; i++) {
      get(client.submit(JobSpec.fromJson(new JsonObject().put("service_required", "ctl-count").put("payload", new JsonObject()), JobLimits.DEFAULTS),
          TraceContext.EMPTY));
    }
    get(client.pause("ctl-count", "ops", TraceContext.EMPTY));
    JsonObject q = queue(get(client.queues(TraceContext.EMPTY)), "ctl-count");
    assertThat(q.getLong("pending")).isEqualTo(3);
    assertThat(q.getLong("active")).isZero();
    assertThat(q.getLong("delayed")).isZero();
    assertThat(q.getBoolean("paused")).isTrue();
    assertThat(q.fieldNames()).contains("completed", "failed", "cancelled", "oldest_pending_age_ms");
  }

  @Test
  void drainIsMarkedOnTheMachineAndSentToIt() {
    List<JsonObject> toMachine = new CopyOnWriteArrayList<>();
    vertx.eventBus().<JsonObject>consumer(Controls.machine("ctl-m1"), m -> toMachine.add(m.body()));
    assertThatThrownBy(() -> get(client.drain("ctl-m1", "ops", TraceContext.EMPTY)))
        .isInstanceOfSatisfying(JobQueueException.class,
            e -> assertThat(e.code()).isEqualTo(JobQueueException.Code.NOT_FOUND));

    MachineRegistry registry = MachineRegistry.of(store);
    get(registry.register("ctl-m1", "run-1", Map.of("status", "ready"), Map.of(), 60_000, System.currentTimeMillis()));
    JsonObject r = get(client.drain("ctl-m1", "ops", TraceContext.EMPTY));
    assertThat(r).isEqualTo(new JsonObject().put("machine_id", "ctl-m1").put("draining", true));
    assertThat(get(registry.drainRequested("ctl-m1"))).isTrue();
    await().atMost(WAIT).until(() -> toMachine.size() == 1);
    assertThat(toMachine.get(0)).isEqualTo(Controls.drain("ctl-m1", "ops"));
    await().atMost(WAIT).until(() -> monitor.stream().anyMatch(m -> "machine_drain_requested".equals(m.getString("type"))
        && "ctl-m1".equals(m.getString("machine_id"))));
  }

  @Test
  void reloadIsBroadcastToEveryNodeWithWorkers() {
    List<JsonObject> reloads = new CopyOnWriteArrayList<>();
    vertx.eventBus().<JsonObject>consumer(Controls.RELOAD, m -> reloads.add(m.body()));
    assertThat(get(client.reload("ops", TraceContext.EMPTY)).getString("reload")).isEqualTo("requested");
    await().atMost(WAIT).until(() -> reloads.size() == 1);
    assertThat(reloads.get(0).getString("by")).isEqualTo("ops");
  }

  private static JsonObject queue(JsonObject queues, String service) {
    return queues.getJsonArray("queues").stream().map(o -> (JsonObject) o)
        .filter(q -> service.equals(q.getString("service"))).findFirst().orElseThrow();
  }
}
