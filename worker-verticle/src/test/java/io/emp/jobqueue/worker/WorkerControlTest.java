package io.emp.jobqueue.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emp.jobqueue.core.config.ConfigSection;
import io.emp.jobqueue.core.model.JobStatus;
import io.emp.jobqueue.core.model.WorkerCapabilities;
import io.emp.jobqueue.queue.control.Controls;
import io.emp.jobqueue.queue.monitor.MonitorNotices;
import io.emp.jobqueue.worker.simulation.SimulationConnector;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The worker's end of the control plane: the cancel signal, pause/resume, drain, and live settings. */
class WorkerControlTest extends WorkerTestSupport {
  static final Duration WAIT = Duration.ofSeconds(20);

  /** Renewals 10 s apart: the Redis flag alone would be seen only then. */
  static WorkerConfig slowRenewals(String workerId) {
    return config(workerId).withLease(30_000, 10_000);
  }

  /** One long step: no progress write (which also reports the flag) before it ends. */
  static JsonObject oneLongStep() {
    return new JsonObject().put("steps", 1).put("step_ms", 15_000);
  }

  @Test
  void aCancelSignalStopsTheRunningJobWithoutWaitingForTheNextRenewal() {
    SimulationConnector sim = simulation();
    deploy(slowRenewals("wc-1"), sim);
    String flagOnly = submit(oneLongStep());
    await().atMost(WAIT).until(() -> job(flagOnly).status() == JobStatus.ASSIGNED
        || job(flagOnly).status() == JobStatus.IN_PROGRESS);
    // the flag alone: the job runs on until the renewal, seconds away
    assertThat(get(store.cancelJob(flagOnly, "flag only", null)).workerId()).isEqualTo("wc-1");
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> sim.active() == 1);

    // the signal: the worker stops the connector and ends the attempt at once
    vertx.eventBus().send(Controls.worker("wc-1"), Controls.cancel(flagOnly, "flag only"));
    await().atMost(Duration.ofSeconds(5)).until(() -> job(flagOnly).status() == JobStatus.CANCELLED);
    assertThat(sim.active()).isZero();
  }

  @Test
  void aSignalForAJobThatIsNotRunningHereChangesNothing() {
    deploy(slowRenewals("wc-2"), simulation());
    String id = submit(new JsonObject().put("steps", 2).put("step_ms", 50));
    vertx.eventBus().send(Controls.worker("wc-2"), Controls.cancel("some-other-job", "x"));
    await().atMost(WAIT).until(() -> job(id).status() == JobStatus.COMPLETED);
  }

  @Test
  void aPauseBroadcastStopsClaimingAndResumeStartsAgain() {
    List<JsonObject> statuses = new CopyOnWriteArrayList<>();
    MessageConsumer<JsonObject> mon = vertx.eventBus().consumer(MonitorNotices.WORKERS, m -> statuses.add(m.body()));
    WorkerVerticle v = deploy(config("wc-3"), simulation());
    vertx.eventBus().publish(Controls.WORKERS, Controls.pause("sim", "ops"));
    vertx.eventBus().publish(Controls.WORKERS, Controls.pause("not-mine", "ops"));
    await().atMost(WAIT).until(() -> v.worker().loop().pausedServices().contains("sim"));
    assertThat(v.worker().loop().pausedServices()).containsExactly("sim");
    await().atMost(WAIT).until(() -> statuses.stream().anyMatch(s -> "wc-3".equals(s.getString("worker_id"))
        && s.getJsonArray("paused_services").contains("sim")));

    long claims = v.worker().loop().claims();
    String id = submit(new JsonObject().put("steps", 1).put("step_ms", 10));
    // no claim at all: with every service of the worker paused it does not even ask
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
        .until(() -> job(id).status() == JobStatus.PENDING && v.worker().loop().claims() == claims);

    vertx.eventBus().publish(Controls.WORKERS, Controls.resume("sim", "ops"));
    await().atMost(WAIT).until(() -> job(id).status() == JobStatus.COMPLETED);
    get(mon.unregister());
  }

  @Test
  void aWorkerStartsWithTheServicesPausedInRedis() {
    get(store.operator().pause("sim"));
    WorkerVerticle v = deploy(config("wc-4"), simulation());
    await().atMost(WAIT).until(() -> v.worker().loop().pausedServices().contains("sim"));
  }

  @Test
  void aDrainOfItsMachineStopsClaimsWhileTheRunningJobFinishes() {
    WorkerVerticle v = deploy(config("wc-5"), simulation());
    String running = submit(new JsonObject().put("steps", 5).put("step_ms", 100));
    await().atMost(WAIT).until(() -> job(running).status() == JobStatus.IN_PROGRESS);

    vertx.eventBus().publish(Controls.WORKERS, Controls.drain("another-machine", "ops"));
    vertx.eventBus().publish(Controls.WORKERS, Controls.drain("machine-t", "ops"));
    await().atMost(WAIT).until(() -> v.worker().loop().holding());
    await().atMost(WAIT).until(() -> job(running).status() == JobStatus.COMPLETED);

    String next = submit(new JsonObject().put("steps", 1).put("step_ms", 10));
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> job(next).status() == JobStatus.PENDING);
  }

  @Test
  void aReloadChangesTheLiveSettingsAndRefusesNewCapabilities() {
    SimulationConnector sim = simulation();
    WorkerVerticle v = deploy(config("wc-6"), sim);
    WorkerConfig more = config("wc-6").withConcurrency(3).withIdlePoll(500);
    ConfigSection steps = ConfigSection.of(new JsonObject().put("steps", 7).put("step_ms", 1), "sim");
    WorkerVerticle.Reconfigured r = get(v.reconfigure(more, steps));
    assertThat(r.worker()).isTrue();
    assertThat(r.connector()).isTrue();
    assertThat(v.worker().config().concurrency()).isEqualTo(3);
    assertThat(sim.config().steps()).isEqualTo(7);
    // jobs started from now use the new connector settings
    String id = submit(new JsonObject());
    await().atMost(WAIT).until(() -> job(id).status() == JobStatus.COMPLETED);
    assertThat(job(id).result().getInteger("steps")).isEqualTo(7);

    WorkerConfig otherServices = WorkerConfig.defaults(WorkerCapabilities.of("wc-6", "sim", "paint")
        .withMachine("machine-t"));
    assertThat(get(v.reconfigure(otherServices, steps)).worker()).isFalse();
    assertThat(v.worker().config().capabilities().services()).containsExactly("sim");
  }

  @Test
  void itsMachineLearnsOnTheActivityAddressWhichJobItRuns() {
    deploy(slowRenewals("wc-act"), simulation());
    JsonObject idle = get(vertx.eventBus().<JsonObject>request(Controls.activity("wc-act"), null)).body();
    assertThat(idle.getJsonArray("running")).isEmpty();
    assertThat(idle.getInteger("concurrency")).isPositive();
    assertThat(idle.getJsonArray("services").getList()).isNotEmpty();
    String id = submit(oneLongStep());
    await().atMost(WAIT).until(() -> get(vertx.eventBus().<JsonObject>request(Controls.activity("wc-act"), null))
        .body().getJsonArray("running").contains(id));
    get(store.cancelJob(id, "done with it", null));
    vertx.eventBus().send(Controls.worker("wc-act"), Controls.cancel(id, "done with it"));
    await().atMost(WAIT).until(() -> get(vertx.eventBus().<JsonObject>request(Controls.activity("wc-act"), null))
        .body().getJsonArray("running").isEmpty());
  }
}
