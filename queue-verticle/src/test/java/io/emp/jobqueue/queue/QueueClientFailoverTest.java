package io.emp.jobqueue.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.emp.jobqueue.core.model.JobLimits;
import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.core.model.JobSpec;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.queue.bus.BusTracing;
import io.emp.jobqueue.queue.control.Controls;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How the client retries on another queue node: two consumers of one address stand for two queue
 * nodes (the bus round-robins between them), one of which never answers, as a node that died with
 * the request does. Only requests that are safe to repeat are tried again.
 */
class QueueClientFailoverTest {
  static final Duration WAIT = Duration.ofSeconds(20);
  Vertx vertx;
  final List<Message<JsonObject>> silent = new CopyOnWriteArrayList<>();
  final AtomicInteger answered = new AtomicInteger();
  MessageConsumer<JsonObject> deadNode;
  MessageConsumer<JsonObject> liveNode;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    get(vertx.close());
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

  /** The dead node registered first, so the first request goes to it. */
  void twoNodes(String address, JsonObject reply) {
    deadNode = vertx.eventBus().consumer(address, silent::add);
    liveNode = vertx.eventBus().<JsonObject>consumer(address, m -> {
      answered.incrementAndGet();
      m.reply(reply);
    });
    get(deadNode.completion());
    get(liveNode.completion());
  }

  QueueClient client(long timeoutMs, long attemptTimeoutMs) {
    return new QueueClient(vertx, new QueueClient.Options(timeoutMs, attemptTimeoutMs, 10), BusTracing.none());
  }

  @Test
  void aSafeRequestThatTimesOutOnOneNodeIsAnsweredByAnother() {
    twoNodes(QueueAddresses.GET, new JsonObject().put("id", "j1"));
    JsonObject job = get(client(20_000, 300).get("j1", TraceContext.EMPTY));
    assertThat(job.getString("id")).isEqualTo("j1");
    assertThat(silent).hasSize(1);
    assertThat(answered).hasValue(1);
  }

  @Test
  void aSubmitWithAnIdempotencyKeyIsSafeToRepeatOneWithoutIsNot() {
    twoNodes(QueueAddresses.SUBMIT, new JsonObject().put("job_id", "j2").put("created", true).put("status", "pending")
        .put("priority_score", 1).put("estimated_position", 0));
    QueueClient c = client(1_500, 300);
    assertThat(get(c.submit(JobSpec.fromJson(new JsonObject().put("service_required", "s").put("idempotency_key", "k1"), JobLimits.DEFAULTS), TraceContext.EMPTY)).jobId()).isEqualTo("j2");
    assertThat(silent).hasSize(1);

    // without a key a second attempt could create a second job: one attempt, then 503
    silent.clear();
    answered.set(0);
    // the round robin now points at the dead node again
    assertThatThrownBy(() -> get(c.submit(JobSpec.fromJson(new JsonObject().put("service_required", "s"), JobLimits.DEFAULTS), TraceContext.EMPTY)))
        .isInstanceOfSatisfying(JobQueueException.class,
            e -> assertThat(e.code()).isEqualTo(JobQueueException.Code.UNAVAILABLE));
    assertThat(silent).hasSize(1);
    assertThat(answered).hasValue(0);
  }

  @Test
  void aMemberLeavingFailsItsSafeRequestsFastAndTheyGoElsewhere() {
    twoNodes(QueueAddresses.STATS, new JsonObject().put("services", new io.vertx.core.json.JsonArray()));
    // attempts as long as the whole request: only the member-left notice can end the first one early
    Future<JsonObject> stats = client(60_000, 60_000).stats(TraceContext.EMPTY);
    await().atMost(WAIT).until(() -> silent.size() == 1);
    vertx.eventBus().publish(Controls.MEMBER_LEFT, new JsonObject().put("node_id", "n-dead"),
        new DeliveryOptions().setLocalOnly(true));
    assertThat(get(stats).containsKey("services")).isTrue();
    assertThat(answered).hasValue(1);
  }

  @Test
  void anUnsafeRequestIsNotRepeatedWhenAMemberLeaves() {
    twoNodes(QueueAddresses.CANCEL, new JsonObject().put("outcome", "requested"));
    Future<String> cancel = client(60_000, 60_000).cancel("j3", null, TraceContext.EMPTY);
    await().atMost(WAIT).until(() -> silent.size() == 1);
    vertx.eventBus().publish(Controls.MEMBER_LEFT, new JsonObject().put("node_id", "n-other"),
        new DeliveryOptions().setLocalOnly(true));
    // it may have reached a node that is still there: its own answer decides
    silent.get(0).reply(new JsonObject().put("outcome", "cancelled"));
    assertThat(get(cancel)).isEqualTo("cancelled");
    assertThat(answered).hasValue(0);
  }

  @Test
  void noQueueNodeAtAllIsA503ThatSaysSo() {
    assertThatThrownBy(() -> get(client(5_000, 1_000).get("j4", TraceContext.EMPTY)))
        .isInstanceOfSatisfying(JobQueueException.class, e -> {
          assertThat(e.code()).isEqualTo(JobQueueException.Code.UNAVAILABLE);
          assertThat(e.getMessage()).contains("no node with the queue role is reachable");
        });
  }

  @Test
  void aQueueNodeThatComesUpWhileTheRequestWaitsStillAnswersIt() {
    // not delivered at all (no handler) is safe to repeat for any request, a cancel included
    AtomicInteger sends = new AtomicInteger();
    vertx.eventBus().addOutboundInterceptor(ctx -> {
      if (QueueAddresses.CANCEL.equals(ctx.message().address())) {
        sends.incrementAndGet();
      }
      ctx.next();
    });
    QueueClient c = new QueueClient(vertx, new QueueClient.Options(10_000, 10_000, 300), BusTracing.none());
    Future<String> cancel = c.cancel("j5", null, TraceContext.EMPTY);
    await().atMost(WAIT).until(() -> sends.get() >= 1);
    vertx.eventBus().<JsonObject>consumer(QueueAddresses.CANCEL, m -> m.reply(new JsonObject().put("outcome", "requested")));
    assertThat(get(cancel)).isEqualTo("requested");
    assertThat(sends.get()).as("the first attempt found nobody").isGreaterThan(1);
  }
}
