package io.emp.jobqueue.queue.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.core.model.JobSpec;
import io.emp.jobqueue.core.model.JobStatus;
import io.emp.jobqueue.core.model.PriorityScore;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.core.model.ValidationException;
import io.emp.jobqueue.core.model.WorkerCapabilities;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SubmitAndOrderTest extends StoreTestSupport {
  static final WorkerCapabilities W = WorkerCapabilities.of("w1", "sim");

  String submit(int priority, String tag) {
    return get(store.submit(JobSpec.of("sim", priority, new JsonObject().put("tag", tag)))).jobId();
  }

  String claimTag() {
    ClaimedJob c = get(store.claim(W, 50, 60_000)).job().orElseThrow();
    return c.job().payload().getString("tag");
  }

  @Test
  void higherPriorityFirstThenFifoIncludingSameMillisecondTies() {
    // 30 jobs submitted back to back: many share a millisecond, so ties must keep submit order.
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      submit(10, "low-" + i);
    }
    for (int i = 0; i < 10; i++) {
      submit(90, "high-" + i);
      expected.add("high-" + i);
    }
    for (int i = 0; i < 10; i++) {
      submit(50, "mid-" + i);
    }
    for (int i = 0; i < 10; i++) {
      expected.add("mid-" + i);
    }
    for (int i = 0; i < 10; i++) {
      expected.add("low-" + i);
    }
    List<String> got = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      got.add(claimTag());
    }
    assertThat(got).containsExactlyElementsOf(expected);
    assertThat(get(store.claim(W, 50, 60_000)).job()).isEmpty();
  }

  @Test
  void workflowStepsInheritWorkflowPriorityAndDatetime() {
    long old = System.currentTimeMillis() - 60_000;
    submit(50, "plain-older");
    // A later step of an older workflow with the same effective priority goes ahead of newer plain jobs...
    get(store.submit(JobSpec.of("sim", 5, new JsonObject().put("tag", "wf-step2"))
        .withWorkflow("wf1", 50, old, 2, 3)));
    // ...and a low job priority is overridden by its workflow's priority.
    get(store.submit(JobSpec.of("sim", 1, new JsonObject().put("tag", "wf-hi"))
        .withWorkflow("wf2", 80, System.currentTimeMillis(), 1, 2)));
    assertThat(List.of(claimTag(), claimTag(), claimTag())).containsExactly("wf-hi", "wf-step2", "plain-older");
  }

  @Test
  void submitReturnsScoreAndPosition() {
    SubmitResult a = get(store.submit(JobSpec.of("sim", 50, new JsonObject())));
    SubmitResult b = get(store.submit(JobSpec.of("sim", 50, new JsonObject())));
    SubmitResult c = get(store.submit(JobSpec.of("sim", 70, new JsonObject())));
    assertThat(a.estimatedPosition()).isZero();
    assertThat(b.estimatedPosition()).isEqualTo(1);
    assertThat(c.estimatedPosition()).isZero();
    assertThat(c.effectivePriority()).isEqualTo(70);
    assertThat(PriorityScore.timeOf(a.priorityScore())).isEqualTo(a.createdAt());
    assertThat(a.priorityScore()).isEqualTo(PriorityScore.of(50, a.createdAt()));
  }

  @Test
  void idempotentOnClientIdAndIdempotencyKey() {
    JobSpec spec = JobSpec.of("sim", 50, new JsonObject().put("n", 1)).withId("client-1");
    SubmitResult first = get(store.submit(spec));
    SubmitResult again = get(store.submit(spec));
    assertThat(first.created()).isTrue();
    assertThat(again.created()).isFalse();
    assertThat(again.jobId()).isEqualTo("client-1");

    JobSpec keyed = JobSpec.of("sim", 50, new JsonObject()).withIdempotencyKey("order-77");
    SubmitResult k1 = get(store.submit(keyed));
    SubmitResult k2 = get(store.submit(keyed));
    assertThat(k2.created()).isFalse();
    assertThat(k2.jobId()).isEqualTo(k1.jobId());
    assertThat(get(store.queries().stats())).singleElement().satisfies(s -> assertThat(s.pending()).isEqualTo(2));
  }

  @Test
  void storesEveryFieldAndTheTraceContext() {
    String tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    JobSpec spec = JobSpec.fromJson(new JsonObject().put("service_required", "sim").put("priority", 7)
        .put("payload", new JsonObject().put("prompt", "x")).put("customer_id", "cust-1")
        .put("workflow_id", "wf-9").put("current_step", 1).put("total_steps", 2).put("max_retries", 5)
        .put("ctx", new JsonObject().put("bucket", "b")).put("request_id", "req-1")
        .put("client_session_id", "sess-1").put("correlation_id", "txn-1").put("timeout_ms", 5000)
        .put("traceparent", tp).put("tracestate", "k=v").put("baggage", "customer.tier=vip"),
        store.config().limits());
    String id = get(store.submit(spec)).jobId();
    Job job = get(store.get(id)).orElseThrow();
    assertThat(job.status()).isEqualTo(JobStatus.PENDING);
    assertThat(job.customerId()).isEqualTo("cust-1");
    assertThat(job.workflowId()).isEqualTo("wf-9");
    assertThat(job.totalSteps()).isEqualTo(2);
    assertThat(job.maxRetries()).isEqualTo(5);
    assertThat(job.ctx().getString("bucket")).isEqualTo("b");
    assertThat(job.payload().getString("prompt")).isEqualTo("x");
    assertThat(job.trace()).isEqualTo(new TraceContext(tp, "k=v", "customer.tier=vip"));
    assertThat(job.requestId()).isEqualTo("req-1");
    assertThat(job.clientSessionId()).isEqualTo("sess-1");
    assertThat(job.correlationId()).isEqualTo("txn-1");
    assertThat(job.timeoutMs()).isEqualTo(5000);
    assertThat(job.toJson().containsKey("token")).isFalse();
  }

  @Test
  void badInputListsEveryProblemAndWritesNothing() {
    long before = countKeys();
    JsonObject bad = new JsonObject().put("priority", 5000).put("payload", "not-an-object")
        .put("requirements", new JsonObject().put("hardware", new JsonObject().put("gpu_memory_gb", -1))
            .put("colour", "blue"))
        .put("max_retries", -2);
    assertThatThrownBy(() -> JobSpec.fromJson(bad, store.config().limits()))
        .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.problems())
            .extracting(p -> p.field())
            .containsExactlyInAnyOrder("service_required", "priority", "payload",
                "requirements.hardware.gpu_memory_gb", "requirements.colour", "max_retries"));

    // A programmatic caller cannot store an oversize payload either: no JobSpec holds one.
    JsonObject huge = new JsonObject().put("blob", "x".repeat(store.config().limits().maxPayloadBytes() + 1));
    assertThatThrownBy(() -> get(store.submit(JobSpec.of("sim", 50, huge))))
        .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.problems())
            .singleElement().satisfies(p -> assertThat(p.code()).isEqualTo("too_large")));
    assertThatThrownBy(() -> get(store.submit(JobSpec.of("bad service!", 50, new JsonObject()))))
        .isInstanceOf(ValidationException.class);
    assertThat(countKeys()).isEqualTo(before);
  }

  @Test
  void boundedQueueRejectsWithQueueFullAndWritesNothing() {
    store = get(JobStore.connect(vertx, config().withMaxPending(2)));
    submit(50, "a");
    submit(50, "b");
    long before = countKeys();
    assertThatThrownBy(() -> submit(50, "c")).isInstanceOfSatisfying(JobQueueException.class,
        e -> assertThat(e.code()).isEqualTo(JobQueueException.Code.QUEUE_FULL));
    assertThat(countKeys()).isEqualTo(before);
  }

  @Test
  void reloadsScriptsAfterScriptFlush() {
    submit(50, "a");
    redis(Request.cmd(Command.SCRIPT).arg("FLUSH"));
    assertThat(claimTag()).isEqualTo("a");
  }
}
