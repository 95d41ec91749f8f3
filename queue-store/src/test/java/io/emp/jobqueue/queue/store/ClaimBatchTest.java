package io.emp.jobqueue.queue.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emp.jobqueue.core.model.Hardware;
import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.model.JobEvent;
import io.emp.jobqueue.core.model.JobSpec;
import io.emp.jobqueue.core.model.JobStatus;
import io.emp.jobqueue.core.model.LeaseLostException;
import io.emp.jobqueue.core.model.Requirements;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.core.model.WorkerCapabilities;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** One claim call for N jobs, and a completion that claims the worker's next jobs in the same call. */
class ClaimBatchTest extends StoreTestSupport {
  static final WorkerCapabilities W = WorkerCapabilities.of("w1", "sim");
  static final String SUBMIT_TP = "00-11111111111111111111111111111111-2222222222222222-01";
  static final String WORK_TP = "00-44444444444444444444444444444444-3333333333333333-01";

  String submit(int priority) {
    return get(store.submit(JobSpec.of("sim", priority, new JsonObject()).withTrace(TraceContext.of(SUBMIT_TP))))
        .jobId();
  }

  ClaimRequest req(WorkerCapabilities caps, int max) {
    return new ClaimRequest(caps, 20, 60_000, max);
  }

  Job job(String id) {
    return get(store.get(id)).orElseThrow();
  }

  List<String> eventTypes(String id) {
    return get(store.queries().events(id, 0, 100)).stream().map(JobEvent::type).toList();
  }

  @Test
  void aBatchClaimTakesUpToNJobsInQueueOrderEachWithItsOwnTokenAndLease() {
    String low = submit(10);
    String high = submit(90);
    String mid1 = submit(50);
    String mid2 = submit(50);

    ClaimBatch b = get(store.claim(req(W, 3)));

    assertThat(b.jobs()).extracting(c -> c.job().id()).containsExactly(high, mid1, mid2);
    assertThat(b.pendingCount()).isEqualTo(1);
    assertThat(b.jobs()).extracting(ClaimedJob::pendingAfter).containsExactly(3L, 2L, 1L);
    assertThat(b.jobs().stream().map(ClaimedJob::token).collect(Collectors.toSet())).hasSize(3);
    for (ClaimedJob c : b.jobs()) {
      Job j = job(c.job().id());
      assertThat(j.status()).isEqualTo(JobStatus.ASSIGNED);
      assertThat(j.workerId()).isEqualTo("w1");
      assertThat(j.attempt()).isEqualTo(1);
      assertThat(j.leaseUntil()).isGreaterThan(c.claimedAt());
      assertThat(eventTypes(j.id())).containsExactly(JobEvent.SUBMITTED, JobEvent.ASSIGNED);
      // each token fences its own job and no other
      assertThat(get(store.renewLease(j.id(), c.token(), 60_000)).cancelRequested()).isFalse();
    }
    assertThatThrownBy(() -> get(store.renewLease(high, b.jobs().get(1).token(), 60_000)))
        .isInstanceOf(LeaseLostException.class);
    assertThat(redis(Request.cmd(Command.ZCARD).arg(store.keys().active())).toInteger()).isEqualTo(3);
    assertThat(job(low).status()).isEqualTo(JobStatus.PENDING);

    ClaimBatch rest = get(store.claim(req(W, 5)));
    assertThat(rest.jobs()).extracting(c -> c.job().id()).containsExactly(low);
    assertThat(rest.pendingCount()).isZero();
  }

  @Test
  void aBatchClaimOnAnEmptyQueueTakesNothing() {
    ClaimBatch b = get(store.claim(req(W, 8)));
    assertThat(b.jobs()).isEmpty();
    assertThat(b.pendingCount()).isZero();
    assertThat(get(store.claim(W, 10, 60_000)).job()).isEmpty();
  }

  /**
   * The batch takes exactly the jobs, in exactly the order, that as many lone claims take, across
   * services, priorities and jobs the worker does not match (the same queue built twice).
   */
  @Test
  void aBatchTakesWhatLoneClaimsTakeAndSkipsWhatTheWorkerDoesNotMatch() {
    WorkerCapabilities caps = WorkerCapabilities.of("w1", "sim", "other")
        .withAttributes(Map.of("region", "eu"));
    JobStore twin = get(JobStore.connect(vertx, config()));
    Function<JobStore, List<String>> fill = s -> {
      List<String> ids = new ArrayList<>();
      ids.add(submitTo(s, "sim", 50, Map.of("region", "us")));
      ids.add(submitTo(s, "other", 50, null));
      ids.add(submitTo(s, "sim", 90, Map.of("region", "eu")));
      ids.add(submitTo(s, "sim", 50, Map.of("region", "eu")));
      ids.add(submitTo(s, "other", 90, Map.of("region", "us")));
      ids.add(submitTo(s, "other", 10, null));
      ids.add(submitTo(s, "sim", 70, null));
      ids.add(submitTo(s, "sim", 95, Map.of("region", "us")));
      return ids;
    };
    List<String> batchIds = fill.apply(store);
    List<String> loneIds = fill.apply(twin);

    List<Integer> batch = get(store.claim(new ClaimRequest(caps, 20, 60_000, 10))).jobs().stream()
        .map(c -> batchIds.indexOf(c.job().id())).toList();
    List<Integer> lone = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      get(twin.claim(caps, 20, 60_000)).job().ifPresent(c -> lone.add(loneIds.indexOf(c.job().id())));
    }
    get(twin.close());

    assertThat(batch).containsExactly(2, 6, 1, 3, 5).isEqualTo(lone);
    assertThat(job(batchIds.get(0)).status()).as("region us: not this worker's").isEqualTo(JobStatus.PENDING);
    assertThat(job(batchIds.get(4)).status()).isEqualTo(JobStatus.PENDING);
    assertThat(job(batchIds.get(7)).status()).isEqualTo(JobStatus.PENDING);
  }

  String submitTo(JobStore s, String service, int priority, Map<String, Object> attrs) {
    JobSpec spec = JobSpec.of(service, priority, new JsonObject());
    if (attrs != null) {
      spec = spec.withRequirements(new Requirements(null, null, null, attrs, null));
    }
    return get(s.submit(spec)).jobId();
  }

  @Test
  void aBatchRespectsThePauseAndTheScanLimit() {
    WorkerCapabilities both = WorkerCapabilities.of("w1", "sim", "other");
    String sim = submit(50);
    String other = get(store.submit(JobSpec.of("other", 10, new JsonObject()))).jobId();
    get(store.operator().pause("sim"));
    assertThat(get(store.claim(req(both, 5))).jobs()).extracting(c -> c.job().id()).containsExactly(other);
    assertThat(get(store.claim(req(both, 5))).jobs()).as("sim is paused").isEmpty();
    get(store.operator().resume("sim"));

    // three jobs at the head need more VRAM than the worker has: a scan limit of 3 never reaches the fourth
    Requirements big = new Requirements(new Hardware(null, 80.0, null, null), null, null, null, null);
    for (int i = 0; i < 3; i++) {
      get(store.submit(JobSpec.of("sim", 99, new JsonObject()).withRequirements(big)));
    }
    assertThat(get(store.claim(new ClaimRequest(W, 3, 60_000, 5))).jobs()).isEmpty();
    assertThat(get(store.claim(new ClaimRequest(W, 4, 60_000, 5))).jobs()).extracting(c -> c.job().id())
        .containsExactly(sim);
  }

  @Test
  void aRequestOutsideOneToMaxBatchIsRefused() {
    assertThatThrownBy(() -> new ClaimRequest(W, 20, 60_000, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ClaimRequest(W, 20, 60_000, ClaimRequest.MAX_BATCH + 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void completeAndClaimCompletesOnceWithItsEventsAndLeasesTheNextJob() {
    String a = submit(90);
    ClaimedJob ca = get(store.claim(W, 10, 60_000)).job().orElseThrow();
    String b = submit(50);
    String c = submit(40);

    CompletedAndClaimed r = get(store.completeAndClaim(a, ca.token(), new JsonObject().put("url", "file:///a.png"),
        TraceContext.of(WORK_TP), req(W, 1)));

    Job done = job(a);
    assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(done.completedAt()).isEqualTo(r.completedAt());
    assertThat(done.result().getString("url")).isEqualTo("file:///a.png");
    List<JobEvent> events = get(store.queries().events(a, 0, 100));
    assertThat(events).extracting(JobEvent::type)
        .containsExactly(JobEvent.SUBMITTED, JobEvent.ASSIGNED, JobEvent.COMPLETED);
    assertThat(events.get(2).traceparent()).as("the completion is in the attempt's trace").isEqualTo(WORK_TP);
    assertThat(events.get(2).toJson().getJsonObject("result").getString("url")).isEqualTo("file:///a.png");
    // retention and the finished index, as complete.lua
    assertThat(redis(Request.cmd(Command.PTTL).arg(store.keys().job(a))).toLong()).isPositive();
    assertThat(redis(Request.cmd(Command.ZSCORE).arg(store.keys().active()).arg(a))).isNull();
    assertThat(get(store.queries().stats())).filteredOn(s -> s.service().equals("sim"))
        .singleElement().satisfies(s -> assertThat(s.completed()).isEqualTo(1));

    assertThat(r.next().jobs()).hasSize(1);
    ClaimedJob cb = r.next().jobs().get(0);
    assertThat(cb.job().id()).isEqualTo(b);
    assertThat(cb.pendingAfter()).isEqualTo(1);
    assertThat(cb.token()).isNotEqualTo(ca.token());
    Job next = job(b);
    assertThat(next.status()).isEqualTo(JobStatus.ASSIGNED);
    assertThat(next.workerId()).isEqualTo("w1");
    assertThat(next.leaseUntil()).isGreaterThan(r.completedAt());
    List<JobEvent> bEvents = get(store.queries().events(b, 0, 100));
    assertThat(bEvents).extracting(JobEvent::type).containsExactly(JobEvent.SUBMITTED, JobEvent.ASSIGNED);
    assertThat(bEvents.get(1).traceparent()).as("the claim event hangs off B's submit").isEqualTo(SUBMIT_TP);
    assertThat(get(store.renewLease(b, cb.token(), 60_000)).cancelRequested()).isFalse();
    assertThat(job(c).status()).isEqualTo(JobStatus.PENDING);

    // the same completion again: the token no longer owns A, so nothing completes and nothing is claimed
    assertThatThrownBy(() -> get(store.completeAndClaim(a, ca.token(), new JsonObject(), TraceContext.of(WORK_TP),
        req(W, 1)))).isInstanceOf(LeaseLostException.class);
    assertThat(eventTypes(a).stream().filter(JobEvent.COMPLETED::equals)).hasSize(1);
    assertThat(job(c).status()).isEqualTo(JobStatus.PENDING);
    // and B can be completed with its own token the plain way
    assertThat(get(store.complete(b, cb.token(), new JsonObject(), TraceContext.of(WORK_TP)))).isPositive();
  }

  @Test
  void aStaleTokenCompletesNothingAndClaimsNothing() {
    String a = submit(90);
    ClaimedJob stale = get(store.claim(W, 10, 60_000)).job().orElseThrow();
    get(store.release(a, stale.token(), null));
    ClaimedJob owner = get(store.claim(WorkerCapabilities.of("w2", "sim"), 10, 60_000)).job().orElseThrow();
    String b = submit(50);

    assertThatThrownBy(() -> get(store.completeAndClaim(a, stale.token(), new JsonObject(), TraceContext.of(WORK_TP),
        req(W, 4)))).isInstanceOf(LeaseLostException.class);

    assertThat(job(a).status()).isEqualTo(JobStatus.ASSIGNED);
    assertThat(job(a).workerId()).isEqualTo("w2");
    assertThat(eventTypes(a)).doesNotContain(JobEvent.COMPLETED);
    assertThat(job(b).status()).as("nothing claimed").isEqualTo(JobStatus.PENDING);
    assertThat(eventTypes(b)).containsExactly(JobEvent.SUBMITTED);
    // the owner still completes it
    assertThat(get(store.complete(a, owner.token(), new JsonObject(), null))).isPositive();
  }

  @Test
  void completeAndClaimWithNothingToClaimIsAPlainCompletion() {
    String a = submit(90);
    ClaimedJob ca = get(store.claim(W, 10, 60_000)).job().orElseThrow();
    String paused = get(store.submit(JobSpec.of("sim", 50, new JsonObject()))).jobId();
    get(store.operator().pause("sim"));

    CompletedAndClaimed r = get(store.completeAndClaim(a, ca.token(), new JsonObject(), TraceContext.of(WORK_TP),
        req(W, 3)));

    assertThat(r.next().jobs()).as("the only pending job is in a paused service").isEmpty();
    assertThat(r.next().pendingCount()).isEqualTo(1);
    assertThat(job(a).status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(eventTypes(a)).containsExactly(JobEvent.SUBMITTED, JobEvent.ASSIGNED, JobEvent.COMPLETED);
    assertThat(job(paused).status()).isEqualTo(JobStatus.PENDING);
  }

  @Test
  void completeAndClaimCanTakeSeveralJobs() {
    String a = submit(90);
    ClaimedJob ca = get(store.claim(W, 10, 60_000)).job().orElseThrow();
    Set<String> queued = Set.of(submit(50), submit(50), submit(50));

    CompletedAndClaimed r = get(store.completeAndClaim(a, ca.token(), new JsonObject(), null, req(W, 5)));

    assertThat(r.next().jobs()).extracting(c -> c.job().id()).containsExactlyInAnyOrderElementsOf(queued);
    assertThat(r.next().jobs().stream().map(ClaimedJob::token).distinct()).hasSize(3);
    assertThat(r.next().pendingCount()).isZero();
  }
}
