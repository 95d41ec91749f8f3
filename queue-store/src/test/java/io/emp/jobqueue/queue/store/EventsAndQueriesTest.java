package io.emp.jobqueue.queue.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.emp.jobqueue.core.model.Failure;
import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.model.JobEvent;
import io.emp.jobqueue.core.model.JobSpec;
import io.emp.jobqueue.core.model.JobStatus;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.core.model.WorkerCapabilities;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventsAndQueriesTest extends StoreTestSupport {
  static final WorkerCapabilities W = WorkerCapabilities.of("w1", "sim");
  static final String SUBMIT_TP = "00-11111111111111111111111111111111-2222222222222222-01";
  static final String WORK_TP = "00-11111111111111111111111111111111-3333333333333333-01";

  @Test
  void everyStateChangeAppendsOrderedEventsWithContinuousSeqAndTheCallersTraceparent() {
    String id = get(store.submit(JobSpec.of("sim", 50, new JsonObject()).withTrace(TraceContext.of(SUBMIT_TP))))
        .jobId();
    ClaimedJob c = get(store.claim(W, 10, 60_000)).job().orElseThrow();
    get(store.progress(id, c.token(), 10, "warming up", 0, TraceContext.of(WORK_TP)));
    get(store.progress(id, c.token(), 60, "sampling", 0, TraceContext.of(WORK_TP)));
    get(store.complete(id, c.token(), new JsonObject().put("url", "file:///x.png"), TraceContext.of(WORK_TP)));

    List<JobEvent> events = get(store.queries().events(id, 0, 100));
    assertThat(events).extracting(JobEvent::type).containsExactly(JobEvent.SUBMITTED, JobEvent.ASSIGNED,
        JobEvent.PROGRESS, JobEvent.PROGRESS, JobEvent.COMPLETED);
    assertThat(events).extracting(JobEvent::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(events).extracting(JobEvent::traceparent)
        .containsExactly(SUBMIT_TP, SUBMIT_TP, WORK_TP, WORK_TP, WORK_TP);
    assertThat(events.get(3).field("progress")).isEqualTo("60");
    JobEvent done = events.get(4);
    assertThat(done.field("worker_id")).isEqualTo("w1");
    assertThat(done.toJson().getJsonObject("result").getString("url")).isEqualTo("file:///x.png");
    assertThat(Long.parseLong(done.field("created_at"))).isLessThanOrEqualTo(done.timestamp());

    // resume after seq 3 returns exactly the rest
    assertThat(get(store.queries().events(id, 3, 100))).extracting(JobEvent::seq).containsExactly(4L, 5L);

    // the global stream holds the same events in the same order
    List<JobEvent> global = get(store.queries().globalEvents("0-0", 100));
    assertThat(global).extracting(JobEvent::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
    List<JobEvent> tail = get(store.queries().globalEvents(global.get(2).streamId(), 100));
    assertThat(tail).extracting(JobEvent::seq).containsExactly(4L, 5L);
  }

  /**
   * The history is capped from the front and still answers "after seq N" exactly, across the cap and
   * in pages; it is a list (a stream would cost a preallocated 4 KB node per job, issue 16).
   */
  @Test
  void aCappedHistoryResumesBySeqAndStaysSmall() {
    StoreConfig cfg = StoreConfig.from(new JsonObject().put("redis_url", redisServer.url())
        .put("namespace", "cap" + java.util.UUID.randomUUID().toString().substring(0, 8)).put("job_events_max", 10));
    JobStore capped = get(JobStore.connect(vertx, cfg));
    String id = get(capped.submit(JobSpec.of("sim", 50, new JsonObject()).withTrace(TraceContext.of(SUBMIT_TP))))
        .jobId();
    String key = capped.keys().jobEvents(id);
    // a pending job has no history key: its one event, the submit, is rebuilt from the job
    assertThat(redis(Request.cmd(Command.TYPE).arg(key)).toString()).isEqualTo("none");
    assertThat(get(capped.queries().events(id, 0, 10))).extracting(JobEvent::seq).containsExactly(1L);
    ClaimedJob c = get(capped.claim(W, 10, 60_000)).job().orElseThrow();
    assertThat(redis(Request.cmd(Command.TYPE).arg(key)).toString()).isEqualTo("list");
    get(capped.complete(id, c.token(), new JsonObject().put("ok", true), TraceContext.of(WORK_TP)));
    assertThat(redis(Request.cmd(Command.MEMORY).arg("USAGE").arg(key)).toLong())
        .as("three events with their traceparents").isLessThan(1_024);

    String busy = get(capped.submit(JobSpec.of("sim", 50, new JsonObject()))).jobId();
    ClaimedJob b = get(capped.claim(W, 10, 60_000)).job().orElseThrow();
    for (int p = 1; p <= 25; p++) {
      get(capped.progress(busy, b.token(), p, "step " + p, 0, TraceContext.of(WORK_TP)));
    }
    // seq 1 submitted, 2 assigned, 3..27 progress: the last 10 remain
    assertThat(get(capped.queries().events(busy, 0, 100))).extracting(JobEvent::seq)
        .containsExactly(18L, 19L, 20L, 21L, 22L, 23L, 24L, 25L, 26L, 27L);
    assertThat(get(capped.queries().events(busy, 20, 3))).extracting(JobEvent::seq).containsExactly(21L, 22L, 23L);
    List<JobEvent> last = get(capped.queries().events(busy, 26, 100));
    assertThat(last).extracting(JobEvent::seq).containsExactly(27L);
    assertThat(last.get(0).jobId()).isEqualTo(busy);
    assertThat(last.get(0).field("message")).isEqualTo("step 25");
    assertThat(last.get(0).traceparent()).isEqualTo(WORK_TP);
    assertThat(get(capped.queries().events(busy, 27, 100))).isEmpty();
    assertThat(get(capped.queries().events("no-such-job", 0, 100))).isEmpty();
    capped.close();
  }

  /** The rebuilt submit event says exactly what the global stream got when the job was submitted. */
  @Test
  void theSubmitEventOfTheHistoryIsTheOneTheStreamGot() {
    JobSpec spec = JobSpec.of("sim", 10, new JsonObject()).withTrace(TraceContext.of(SUBMIT_TP));
    String plain = get(store.submit(spec)).jobId();
    String noTrace = get(store.submit(JobSpec.of("sim", 75, new JsonObject()))).jobId();
    // a workflow step's effective priority is its workflow's
    String step = get(store.submit(JobSpec.of("sim", 10, new JsonObject()).withWorkflow("wf-1", 80, null, 1, 2)))
        .jobId();
    List<JobEvent> global = get(store.queries().globalEvents("0-0", 100));
    for (String id : List.of(plain, noTrace, step)) {
      JobEvent streamed = global.stream().filter(e -> e.jobId().equals(id)).findFirst().orElseThrow();
      JobEvent rebuilt = get(store.queries().events(id, 0, 1)).get(0);
      assertThat(rebuilt.fields()).isEqualTo(streamed.fields());
    }
    assertThat(get(store.queries().events(plain, 0, 1)).get(0).field("priority")).isEqualTo("10");
    assertThat(get(store.queries().events(noTrace, 0, 1)).get(0).traceparent()).isNull();
    assertThat(get(store.queries().events(step, 0, 1)).get(0).field("priority")).isEqualTo("80");
    assertThat(get(store.queries().events(plain, 1, 10))).as("nothing after seq 1 yet").isEmpty();
  }

  @Test
  void cancelEventsBelongToTheJobsTrace() {
    String id = get(store.submit(JobSpec.of("sim", 50, new JsonObject()).withTrace(TraceContext.of(SUBMIT_TP))))
        .jobId();
    get(store.cancel(id, "changed my mind", TraceContext.of(WORK_TP)));
    JobEvent cancelled = get(store.queries().events(id, 0, 10)).get(1);
    assertThat(cancelled.type()).isEqualTo(JobEvent.CANCELLED);
    assertThat(cancelled.traceparent()).as("the job's trace, not the cancel request's").isEqualTo(SUBMIT_TP);
  }

  @Test
  void retryAndFailureEventsKeepTheSequenceGapless() {
    String id = get(store.submit(JobSpec.of("sim", 50, new JsonObject()).withMaxRetries(1))).jobId();
    ClaimedJob c1 = get(store.claim(W, 10, 60_000)).job().orElseThrow();
    get(store.fail(id, c1.token(), Failure.retryable("timeout", "slow"), null));
    org.awaitility.Awaitility.await().until(() -> get(store.promoteDue(10)) == 1);
    ClaimedJob c2 = get(store.claim(W, 10, 60_000)).job().orElseThrow();
    get(store.fail(id, c2.token(), Failure.retryable("timeout", "slow again"), null));
    List<JobEvent> events = get(store.queries().events(id, 0, 100));
    assertThat(events).extracting(JobEvent::type).containsExactly(JobEvent.SUBMITTED, JobEvent.ASSIGNED,
        JobEvent.REQUEUED, JobEvent.REQUEUED, JobEvent.ASSIGNED, JobEvent.FAILED);
    assertThat(events).extracting(JobEvent::status)
        .containsExactly("pending", "assigned", "delayed", "pending", "assigned", "failed");
    for (int i = 0; i < events.size(); i++) {
      assertThat(events.get(i).seq()).isEqualTo(i + 1);
    }
  }

  @Test
  void finalJobsAndTheirStreamsExpireAndIndexesAreTrimmed() {
    String id = get(store.submit(JobSpec.of("sim", 50, new JsonObject()))).jobId();
    String pendingId = get(store.submit(JobSpec.of("sim", 50, new JsonObject()))).jobId();
    ClaimedJob c = get(store.claim(W, 10, 60_000)).job().orElseThrow();
    get(store.complete(id, c.token(), new JsonObject(), null));
    long jobTtl = redis(Request.cmd(Command.PTTL).arg(store.keys().job(id))).toLong();
    long streamTtl = redis(Request.cmd(Command.PTTL).arg(store.keys().jobEvents(id))).toLong();
    long ret = store.config().retentionCompletedMs();
    assertThat(jobTtl).isBetween(ret - 60_000, ret);
    assertThat(streamTtl).isBetween(ret - 60_000, ret);
    assertThat(redis(Request.cmd(Command.PTTL).arg(store.keys().job(pendingId))).toLong())
        .as("live jobs never expire").isEqualTo(-1);

    // an index entry older than retention is trimmed
    redis(Request.cmd(Command.ZADD).arg(store.keys().idx("completed")).arg(1).arg("ancient"));
    assertThat(get(store.trimIndexes())).isEqualTo(1);
    assertThat(get(store.queries().list(JobStatus.COMPLETED, null, 10, null)).jobs()).extracting(Job::id).containsExactly(id);
  }

  @Test
  void listsByStatusAndServiceWithCursorsAndReportsStats() {
    List<String> pendingA = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      pendingA.add(get(store.submit(JobSpec.of("a", 50, new JsonObject()))).jobId());
    }
    String b1 = get(store.submit(JobSpec.of("b", 60, new JsonObject()))).jobId();
    ClaimedJob running = get(store.claim(WorkerCapabilities.of("w", "b"), 10, 60_000)).job().orElseThrow();
    String b2 = get(store.submit(JobSpec.of("b", 10, new JsonObject()))).jobId();

    JobPage p1 = get(store.queries().list(JobStatus.PENDING, "a", 2, null));
    JobPage p2 = get(store.queries().list(JobStatus.PENDING, "a", 2, p1.nextCursor()));
    JobPage p3 = get(store.queries().list(JobStatus.PENDING, "a", 2, p2.nextCursor()));
    List<String> paged = new ArrayList<>();
    for (JobPage p : List.of(p1, p2, p3)) {
      p.jobs().forEach(j -> paged.add(j.id()));
    }
    assertThat(paged).containsExactlyElementsOf(pendingA);

    assertThat(get(store.queries().list(JobStatus.PENDING, null, 50, null)).jobs()).extracting(Job::id).hasSize(6)
        .doesNotContain(b1).contains(b2);
    assertThat(get(store.queries().list(JobStatus.ASSIGNED, null, 50, null)).jobs()).extracting(Job::id).containsExactly(b1);
    JobPage everything = get(store.queries().list(null, "b", 50, null));
    assertThat(everything.jobs()).extracting(Job::id).containsExactly(b1, b2);
    assertThat(everything.nextCursor()).isNull();

    List<ServiceStats> stats = get(store.queries().stats());
    ServiceStats a = stats.stream().filter(s -> s.service().equals("a")).findFirst().orElseThrow();
    ServiceStats b = stats.stream().filter(s -> s.service().equals("b")).findFirst().orElseThrow();
    assertThat(a.pending()).isEqualTo(5);
    assertThat(a.oldestPendingAgeMs()).isGreaterThanOrEqualTo(0);
    assertThat(b.pending()).isEqualTo(1);
    assertThat(b.active()).isEqualTo(1);
    get(store.complete(running.job().id(), running.token(), new JsonObject(), null));
    assertThat(get(store.queries().stats()).stream().filter(s -> s.service().equals("b")).findFirst().orElseThrow())
        .satisfies(s -> {
          assertThat(s.active()).isZero();
          assertThat(s.completed()).isEqualTo(1);
        });
  }

  @Test
  void oldestPendingAgeLooksAcrossPriorityBands() {
    long old = System.currentTimeMillis() - 3_600_000;
    get(store.submit(JobSpec.of("sim", 90, new JsonObject())));
    get(store.submit(JobSpec.of("sim", 10, new JsonObject()).withWorkflow("wf", null, old, 1, 2)));
    ServiceStats s = get(store.queries().stats()).get(0);
    assertThat(s.oldestPendingAgeMs()).isGreaterThanOrEqualTo(3_600_000);
  }
}
