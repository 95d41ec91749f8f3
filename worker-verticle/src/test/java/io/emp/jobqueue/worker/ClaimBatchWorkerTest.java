package io.emp.jobqueue.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emp.jobqueue.core.config.ConfigSection;
import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.model.JobEvent;
import io.emp.jobqueue.core.model.JobStatus;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.core.telemetry.Attr;
import io.emp.jobqueue.core.telemetry.SpanName;
import io.emp.jobqueue.worker.simulation.SimulationConnector;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The worker's fewer round trips: batch claims, and completions that claim the slot's next job. */
class ClaimBatchWorkerTest extends WorkerTestSupport {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final AttributeKey<String> JOB_ID = AttributeKey.stringKey(Attr.JOB_ID);

  @Test
  void aBacklogIsDrainedByCompletionsThatClaimWithEveryJobsSpansAndEventsAsBefore() {
    int jobs = 60;
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < jobs; i++) {
      ids.add(submit(new JsonObject().put("service_required", "sim")
          .put("payload", new JsonObject().put("steps", 0)), TraceContext.EMPTY));
    }
    WorkerVerticle w = deploy(config("w-backlog").withConcurrency(8).withIdlePoll(60_000), simulation());

    await().atMost(WAIT).until(() -> ids.stream().allMatch(id -> job(id).status() == JobStatus.COMPLETED));
    await().atMost(WAIT).until(() -> spansNamed(SpanName.JOB_PROCESSING).size() == jobs);

    ClaimLoop loop = w.worker().loop();
    assertThat(loop.completionClaims()).as("every completion asked for the slot's next job").isEqualTo(jobs);
    // the first call fills all 8 slots; from then on each completion brings the next job with it
    assertThat(loop.claims() - loop.completionClaims()).as("plain claim calls").isLessThan(jobs / 4);

    assertThat(mostAtOnce(spansNamed(SpanName.JOB_PROCESSING))).as("never more attempts than slots")
        .isBetween(2, 8);

    // per job, exactly as with separate calls: one claim span, its processing span under it, one
    // assignment and one completion, the completion in the processing span's trace
    Map<String, SpanData> claimOf = spansNamed(SpanName.REDIS_CLAIM).stream()
        .collect(Collectors.toMap(s -> s.getAttributes().get(JOB_ID), Function.identity()));
    Map<String, SpanData> processingOf = spansNamed(SpanName.JOB_PROCESSING).stream()
        .collect(Collectors.toMap(s -> s.getAttributes().get(JOB_ID), Function.identity()));
    assertThat(claimOf.keySet()).containsExactlyInAnyOrderElementsOf(ids);
    assertThat(processingOf.keySet()).containsExactlyInAnyOrderElementsOf(ids);
    for (String id : ids) {
      SpanData claim = claimOf.get(id);
      SpanData processing = processingOf.get(id);
      assertThat(processing.getParentSpanId()).isEqualTo(claim.getSpanId());
      assertThat(claim.getAttributes().get(AttributeKey.stringKey(Attr.MATCHING_FUNCTION))).isEqualTo("claim.lua");
      assertThat(claim.getAttributes().get(AttributeKey.longKey(Attr.MATCHING_JOBS_EVALUATED))).isGreaterThanOrEqualTo(1);
      assertThat(claim.getAttributes().get(AttributeKey.longKey(Attr.QUEUE_JOBS_PENDING))).isNotNull();
      assertThat(job(id).attempt()).isEqualTo(1);
      List<JobEvent> events = get(store.queries().events(id, 0, 100));
      assertThat(events.stream().filter(e -> JobEvent.ASSIGNED.equals(e.type()))).hasSize(1);
      List<JobEvent> completed = events.stream().filter(e -> JobEvent.COMPLETED.equals(e.type())).toList();
      assertThat(completed).hasSize(1);
      assertThat(TraceContext.of(completed.get(0).traceparent()).spanId()).isEqualTo(processing.getSpanId());
    }
  }

  /**
   * A completion whose claim finds nothing leaves the worker as a plain completion did: idle, its
   * slot free, woken by the next submit (the poll is a minute away, so only the wake-up can do it).
   */
  @Test
  void aCompletionThatClaimsNothingLeavesTheSlotFreeForTheNextWakeUp() {
    WorkerVerticle w = deploy(config("w-idle").withConcurrency(1).withIdlePoll(60_000), simulation());
    await().atMost(WAIT).until(() -> w.worker().loop().claims() >= 1);
    String first = submit(new JsonObject().put("steps", 0));
    await().atMost(WAIT).until(() -> job(first).status() == JobStatus.COMPLETED);
    await().atMost(WAIT).until(() -> w.worker().loop().completionClaims() == 1);

    String second = submit(new JsonObject().put("steps", 0));
    await().atMost(WAIT).until(() -> job(second).status() == JobStatus.COMPLETED);
    assertThat(job(second).workerId()).isEqualTo("w-idle");
    assertThat(get(store.queries().events(first, 0, 100)).stream()
        .filter(e -> JobEvent.COMPLETED.equals(e.type()))).hasSize(1);
  }

  /**
   * A reload that lowers the concurrency below the running count: the completions that follow claim
   * nothing for their slots (a completion that always claimed its successor would keep every slot
   * busy), so the queued jobs then run one at a time, each assigned no earlier than the previous one's
   * completion (Redis clock).
   */
  @Test
  void afterALowerConcurrencyCompletionsDoNotRefillTheSlotsTheyGiveUp() {
    SimulationConnector sim = simulation();
    WorkerVerticle w = deploy(config("w-shrink").withConcurrency(3).withIdlePoll(60_000), sim);
    List<String> first = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      first.add(submit(new JsonObject().put("steps", 1).put("step_ms", 1_000)));
    }
    await().atMost(WAIT).until(() -> sim.active() == 3);
    List<String> queued = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      queued.add(submit(new JsonObject().put("steps", 1).put("step_ms", 50)));
    }
    assertThat(get(w.reconfigure(config("w-shrink").withConcurrency(1).withIdlePoll(60_000),
        ConfigSection.of(new JsonObject(), "sim"))).worker()).isTrue();

    await().atMost(WAIT).until(() -> queued.stream().allMatch(id -> job(id).status() == JobStatus.COMPLETED));
    List<Job> after = queued.stream().map(this::job).sorted(Comparator.comparing(Job::assignedAt)).toList();
    long lastOfFirst = first.stream().map(this::job).mapToLong(Job::completedAt).max().orElseThrow();
    assertThat(after.get(0).assignedAt()).as("the first queued job waits for all three running ones")
        .isGreaterThanOrEqualTo(lastOfFirst);
    for (int i = 1; i < after.size(); i++) {
      assertThat(after.get(i).assignedAt()).as("one at a time").isGreaterThanOrEqualTo(after.get(i - 1).completedAt());
    }
  }

  /**
   * A drain in the middle of a backlog, with completions claiming their successors: once the worker
   * has stopped, every job is completed or back in the queue with no attempt counted; none is left
   * leased to the stopped worker (a successor claimed while the drain began is handed straight back).
   */
  @Test
  void aDrainDuringCompletionsThatClaimLeavesNoJobLeasedToTheStoppedWorker() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 80; i++) {
      ids.add(submit(new JsonObject().put("steps", 1).put("step_ms", 20)));
    }
    WorkerVerticle w = deploy(config("w-drain-busy").withConcurrency(4).withIdlePoll(60_000).withDrainGrace(5_000),
        simulation());
    // 80 jobs of 20 ms on 4 slots take at least 400 ms: the drain starts with most of them queued
    await().pollInterval(Duration.ofMillis(5)).atMost(WAIT).until(() -> w.worker().loop().completionClaims() >= 4);

    get(vertx.undeploy(deployment));
    deployment = null;

    long completed = 0;
    for (String id : ids) {
      Job j = job(id);
      assertThat(j.status()).as(id).isIn(JobStatus.COMPLETED, JobStatus.PENDING);
      if (j.status() == JobStatus.PENDING) {
        assertThat(j.attempt()).as("handed back without counting an attempt").isZero();
      } else {
        completed++;
        assertThat(get(store.queries().events(id, 0, 100)).stream()
            .filter(e -> JobEvent.COMPLETED.equals(e.type()))).hasSize(1);
      }
    }
    assertThat(completed).isGreaterThanOrEqualTo(4).isLessThan(80);
    assertThat(get(store.redis().send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.ZCARD)
        .arg(store.keys().active()))).toInteger()).as("no lease left").isZero();
  }

  /** The most spans open at one instant (one ending exactly when another starts does not overlap it). */
  static int mostAtOnce(List<SpanData> spans) {
    List<long[]> edges = new ArrayList<>();
    for (SpanData s : spans) {
      edges.add(new long[] {s.getStartEpochNanos(), 1});
      edges.add(new long[] {s.getEndEpochNanos(), -1});
    }
    edges.sort(Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1]));
    int open = 0;
    int most = 0;
    for (long[] e : edges) {
      open += (int) e[1];
      most = Math.max(most, open);
    }
    return most;
  }
}
