package io.emp.jobqueue.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emp.jobqueue.core.model.JobLimits;
import io.emp.jobqueue.core.model.JobSpec;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.core.model.WorkerCapabilities;
import io.emp.jobqueue.core.telemetry.SamplingPolicy;
import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.core.telemetry.TelemetryConfig;
import io.emp.jobqueue.queue.store.ClaimedJob;
import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.emp.jobqueue.testing.TestRedis;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A node with the queue but without the gateway (--roles queue): its submit spans wait for their
 * job's outcome, which it learns from the job-event stream, as the gateway's relay does on an API node.
 */
class OutcomeFeedTest {
  TestRedis redis;
  Vertx vertx;
  Telemetry telemetry;
  StoreConfig sc;

  @BeforeEach
  void start() {
    redis = TestRedis.start();
    vertx = Vertx.vertx();
    telemetry = Telemetry.create(TelemetryConfig.DEFAULTS.withSampling(SamplingPolicy.DEFAULTS), List.of());
    sc = StoreConfig.defaults(redis.url()).withNamespace("of" + UUID.randomUUID().toString().substring(0, 6));
  }

  @AfterEach
  void stop() {
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

  /** Submits through the queue and completes the job elsewhere (a worker on another node would). */
  void submitAndCompleteElsewhere() {
    QueueClient client = new QueueClient(vertx);
    get(client.submit(JobSpec.fromJson(new JsonObject().put("service_required", "of").put("payload", new JsonObject()), JobLimits.DEFAULTS),
        TraceContext.EMPTY));
    await().atMost(Duration.ofSeconds(20)).until(() -> telemetry.sampler().bufferedTraces() == 1);
    JobStore store = get(JobStore.connect(vertx, sc));
    ClaimedJob c = get(store.claim(WorkerCapabilities.of("w", "of"), 10, 60_000)).job().orElseThrow();
    // the worker writes its own span's context, in the job's trace (here: the stored submit context)
    get(store.complete(c.job().id(), c.token(), new JsonObject(), c.job().trace()));
    get(store.close());
  }

  @Test
  void aQueueOnlyNodeDecidesItsSubmitSpansWhenTheJobEnds() {
    get(vertx.deployVerticle(new QueueVerticle(QueueConfig.defaults(sc), telemetry, true)));
    submitAndCompleteElsewhere();
    await().atMost(Duration.ofSeconds(20)).until(() -> telemetry.sampler().bufferedTraces() == 0);
  }

  @Test
  void withoutTheFeedTheSpansWouldWaitForTheDecisionTimeout() {
    get(vertx.deployVerticle(new QueueVerticle(QueueConfig.defaults(sc), telemetry, false)));
    submitAndCompleteElsewhere();
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
        .until(() -> telemetry.sampler().bufferedTraces() == 1);
  }
}
