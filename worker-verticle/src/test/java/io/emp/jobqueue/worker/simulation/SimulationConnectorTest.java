package io.emp.jobqueue.worker.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emp.jobqueue.core.model.Failure;
import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.model.JobStatus;
import io.emp.jobqueue.worker.spi.ConnectorException;
import io.emp.jobqueue.worker.spi.JobCancelledException;
import io.emp.jobqueue.worker.spi.JobContext;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.context.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SimulationConnectorTest {
  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  static Job job(String id, JsonObject payload) {
    return Job.fromHash(java.util.Map.of(Job.F.ID, id, Job.F.SERVICE, "sim", Job.F.PRIORITY, "50",
        Job.F.PAYLOAD, payload.encode(), Job.F.MAX_RETRIES, "3", Job.F.ATTEMPT, "1",
        Job.F.STATUS, JobStatus.ASSIGNED.wire(), Job.F.CREATED_AT, "0"));
  }

  static JobContext ctx(Job job, int attempt) {
    return new JobContext(job, attempt, Long.MAX_VALUE, Context.root(),
        TracerProvider.noop().get("t"), null);
  }

  static SimulationConnector connector(SimulationConfig cfg) {
    SimulationConnector c = new SimulationConnector(cfg);
    c.start(vertx);
    return c;
  }

  static <T> T get(Future<T> f) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }

  /** Runs process() on an event loop, as the worker does. */
  static Future<JsonObject> process(SimulationConnector c, JobContext ctx, List<Integer> progress) {
    Promise<JsonObject> p = Promise.promise();
    vertx.runOnContext(v -> c.process(ctx, (pct, msg) -> progress.add(pct)).onComplete(p));
    return p.future();
  }

  @Test
  void reportsProgressPerStepAndSucceeds() throws Exception {
    List<Integer> progress = new CopyOnWriteArrayList<>();
    JsonObject r = get(process(connector(SimulationConfig.DEFAULTS),
        ctx(job("j1", new JsonObject().put("steps", 4).put("step_ms", 5)), 1), progress));
    assertThat(progress).containsExactly(25, 50, 75, 100);
    assertThat(r.getInteger("steps")).isEqualTo(4);
  }

  @Test
  void zeroStepsIsAZeroWorkJob() throws Exception {
    List<Integer> progress = new CopyOnWriteArrayList<>();
    JsonObject r = get(process(connector(SimulationConfig.DEFAULTS), ctx(job("j0", new JsonObject().put("steps", 0)), 1),
        progress));
    assertThat(progress).isEmpty();
    assertThat(r.getBoolean("simulated")).isTrue();
  }

  @Test
  void failureDrawsAreDeterministicPerSeedJobAndAttempt() {
    SimulationConfig half = new SimulationConfig(1, 1, 0.5, SimulationConfig.FailureKind.PERMANENT, 99);
    SimulationConnector a = connector(half);
    SimulationConnector b = connector(half);
    int failures = 0;
    for (int i = 0; i < 200; i++) {
      Job j = job("job-" + i, new JsonObject());
      assertThat(a.plannedFailure(j, 1)).isEqualTo(b.plannedFailure(j, 1));
      failures += a.plannedFailure(j, 1) == null ? 0 : 1;
    }
    assertThat(failures).isBetween(60, 140); // a real coin, not always or never
    SimulationConnector other = connector(new SimulationConfig(1, 1, 0.5, SimulationConfig.FailureKind.PERMANENT, 7));
    long differing = java.util.stream.IntStream.range(0, 200).filter(i -> {
      Job j = job("job-" + i, new JsonObject());
      return a.plannedFailure(j, 1) != other.plannedFailure(j, 1);
    }).count();
    assertThat(differing).isPositive();
  }

  @Test
  void payloadForcesAFailureKind() {
    SimulationConnector c = connector(SimulationConfig.DEFAULTS);
    assertThatThrownBy(() -> get(process(c, ctx(job("jp", new JsonObject().put("steps", 1).put("step_ms", 1)
        .put("fail", "permanent")), 1), new CopyOnWriteArrayList<>())))
        .isInstanceOfSatisfying(ConnectorException.class,
            e -> assertThat(e.failure().kind()).isEqualTo(Failure.Kind.PERMANENT));
    assertThatThrownBy(() -> get(process(c, ctx(job("jr", new JsonObject().put("steps", 1).put("step_ms", 1)
        .put("fail", "retryable")), 1), new CopyOnWriteArrayList<>())))
        .isInstanceOfSatisfying(ConnectorException.class,
            e -> assertThat(e.failure().kind()).isEqualTo(Failure.Kind.RETRYABLE));
  }

  @Test
  void cancelStopsTheRunWithJobCancelledException() throws Exception {
    SimulationConnector c = connector(SimulationConfig.DEFAULTS);
    List<Integer> progress = new CopyOnWriteArrayList<>();
    Future<JsonObject> f = process(c, ctx(job("jc", new JsonObject().put("steps", 1000).put("step_ms", 50)), 1),
        progress);
    org.awaitility.Awaitility.await().until(() -> c.active() == 1);
    get(c.cancel("jc"));
    assertThatThrownBy(() -> get(f)).isInstanceOf(JobCancelledException.class);
    assertThat(c.active()).isZero();
  }

  @Test
  void hungTimeoutRunEndsOnlyByCancel() throws Exception {
    SimulationConnector c = connector(SimulationConfig.DEFAULTS);
    Future<JsonObject> f = process(c, ctx(job("jt", new JsonObject().put("steps", 1).put("step_ms", 1)
        .put("fail", "timeout")), 1), new CopyOnWriteArrayList<>());
    org.awaitility.Awaitility.await().during(java.time.Duration.ofMillis(300))
        .atMost(java.time.Duration.ofSeconds(5)).until(() -> !f.isComplete());
    get(c.cancel("jt"));
    assertThatThrownBy(() -> get(f)).isInstanceOf(JobCancelledException.class);
  }
}
