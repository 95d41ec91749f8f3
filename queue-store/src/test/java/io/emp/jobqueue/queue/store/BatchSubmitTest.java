package io.emp.jobqueue.queue.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.core.model.JobSpec;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.core.model.WorkerCapabilities;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link JobStore#submitAll}: many jobs in one pipelined call, with an outcome per job. */
class BatchSubmitTest extends StoreTestSupport {

  private static JobSpec job(String svc, String tag) {
    return JobSpec.of(svc, 50, new JsonObject().put("tag", tag));
  }

  private List<SubmitOutcome> submitAll(List<JobSpec> specs) {
    List<SubmitOutcome> out = get(store.submitAll(specs));
    assertThat(out).hasSameSizeAs(specs);
    return out;
  }

  private String claimTag(String svc) {
    return get(store.claim(WorkerCapabilities.of("w1", svc), 50, 60_000)).job().orElseThrow()
        .job().payload().getString("tag");
  }

  @Test
  void everyJobIsStoredInOrderWithItsOwnResultAndTrace() {
    List<JobSpec> specs = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String tp = String.format("00-%032x-%016x-01", i + 1, i + 1);
      specs.add(job("sim", "t" + i).withTrace(TraceContext.of(tp)));
    }
    List<SubmitOutcome> out = submitAll(specs);
    assertThat(out).allSatisfy(o -> assertThat(o.succeeded()).isTrue());
    assertThat(out).allSatisfy(o -> assertThat(o.result().created()).isTrue());
    assertThat(new HashSet<>(out.stream().map(o -> o.result().jobId()).toList())).hasSize(40);
    for (int i = 0; i < 40; i++) {
      SubmitResult r = out.get(i).result();
      assertThat(r.estimatedPosition()).as("job %d queued behind the earlier ones", i).isEqualTo(i);
      Job stored = get(store.get(r.jobId())).orElseThrow();
      assertThat(stored.payload().getString("tag")).isEqualTo("t" + i);
      assertThat(stored.trace().traceparent()).isEqualTo(specs.get(i).trace().traceparent());
      assertThat(get(store.queries().events(r.jobId(), 0, 10))).extracting(e -> e.type())
          .containsExactly("job_submitted");
    }
    for (int i = 0; i < 40; i++) {
      assertThat(claimTag("sim")).isEqualTo("t" + i);
    }
  }

  @Test
  void aFullQueueRefusesOnlyTheJobsPastItsLimit() {
    store = get(JobStore.connect(vertx, config().withMaxPending(3)));
    List<JobSpec> specs = List.of(job("a", "a0"), job("a", "a1"), job("b", "b0"), job("a", "a2"), job("a", "a3"),
        job("b", "b1"), job("a", "a4"));
    List<SubmitOutcome> out = submitAll(specs);
    assertThat(out).extracting(SubmitOutcome::succeeded).containsExactly(true, true, true, true, false, true, false);
    assertThat(out.get(4).error()).isInstanceOfSatisfying(JobQueueException.class,
        e -> assertThat(e.code()).isEqualTo(JobQueueException.Code.QUEUE_FULL));
    assertThat(out.get(6).error()).isInstanceOf(JobQueueException.class);
    assertThat(get(store.queries().stats())).extracting(s -> s.service() + "=" + s.pending())
        .containsExactlyInAnyOrder("a=3", "b=2");
  }

  @Test
  void idempotencyKeysHoldInsideABatchAndAcrossBatches() {
    JobSpec keyed = job("sim", "k").withIdempotencyKey("custA/order-1");
    List<SubmitOutcome> first = submitAll(List.of(keyed, job("sim", "x"), keyed));
    assertThat(first.get(0).result().created()).isTrue();
    assertThat(first.get(2).result().created()).as("the repeat inside the batch finds the first").isFalse();
    assertThat(first.get(2).result().jobId()).isEqualTo(first.get(0).result().jobId());

    List<SubmitOutcome> again = submitAll(List.of(job("sim", "y"), keyed));
    assertThat(again.get(0).result().created()).isTrue();
    assertThat(again.get(1).result().created()).isFalse();
    assertThat(again.get(1).result().jobId()).isEqualTo(first.get(0).result().jobId());
    // another customer's key of the same name is another job (the gateway scopes keys as customer/key)
    List<SubmitOutcome> other = submitAll(List.of(job("sim", "k").withIdempotencyKey("custB/order-1")));
    assertThat(other.get(0).result().created()).isTrue();
    assertThat(get(store.queries().stats())).singleElement().satisfies(s -> assertThat(s.pending()).isEqualTo(4));
  }

  @Test
  void clientChosenIdsAreScopedPerCustomer() {
    // stored ids as the gateway makes them: <customer>~<name>
    List<SubmitOutcome> out = submitAll(List.of(job("sim", "a").withCustomer("custA").withId("custA~order-7"),
        job("sim", "b").withCustomer("custB").withId("custB~order-7")));
    assertThat(out).allSatisfy(o -> assertThat(o.result().created()).isTrue());
    List<SubmitOutcome> repeat = submitAll(List.of(job("sim", "b2").withCustomer("custB").withId("custB~order-7")));
    assertThat(repeat.get(0).result().created()).isFalse();
    assertThat(repeat.get(0).result().jobId()).isEqualTo("custB~order-7");
    assertThat(get(store.get("custB~order-7")).orElseThrow().payload().getString("tag")).isEqualTo("b");
    assertThat(get(store.get("custA~order-7")).orElseThrow().customerId()).isEqualTo("custA");
  }

  @Test
  void aFlushedScriptCacheIsLoadedOnceAndEveryJobStillRuns() {
    redis(Request.cmd(Command.SCRIPT).arg("FLUSH"));
    List<JobSpec> specs = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      specs.add(job("sim", "f" + i));
    }
    List<SubmitOutcome> out = submitAll(specs);
    assertThat(out).allSatisfy(o -> assertThat(o.succeeded()).as(String.valueOf(o.error())).isTrue());
    assertThat(get(store.queries().stats())).singleElement().satisfies(s -> assertThat(s.pending()).isEqualTo(10));
    for (int i = 0; i < 10; i++) {
      assertThat(claimTag("sim")).isEqualTo("f" + i);
    }
  }

  @Test
  void withTooFewReplicasEveryStoredJobIsAnsweredUnconfirmed() {
    // a lone server has no replica: WAIT 1 answers 0 after its timeout
    store = get(JobStore.connect(vertx, config().withWaitReplicas(1, 50)));
    List<SubmitOutcome> out = submitAll(List.of(job("rep", "r0").withIdempotencyKey("k-r0"), job("rep", "r1")));
    assertThat(out).allSatisfy(o -> assertThat(o.error()).isInstanceOfSatisfying(JobQueueException.class, e -> {
      assertThat(e.code()).isEqualTo(JobQueueException.Code.UNAVAILABLE);
      assertThat(e.ownMessage()).isTrue();
      assertThat(e.getMessage()).contains("replicas confirmed");
    }));
    // the master kept them: a retry with the key finds the job
    store = get(JobStore.connect(vertx, store.config().withWaitReplicas(0, 50)));
    assertThat(get(store.submitAll(List.of(job("rep", "r0").withIdempotencyKey("k-r0")))).get(0).result().created())
        .isFalse();
  }

  @Test
  void aBatchLargerThanOnePipelineWindowIsSentInWindows() {
    int n = BatchSubmit.PIPELINE_MAX * 2 + 7;
    List<JobSpec> specs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      specs.add(job("big", "j" + i));
    }
    List<SubmitOutcome> out = submitAll(specs);
    assertThat(out).allSatisfy(o -> assertThat(o.succeeded()).isTrue());
    assertThat(out.get(n - 1).result().estimatedPosition()).isEqualTo(n - 1);
    assertThat(get(store.submitAll(List.of()))).isEmpty();
  }
}
