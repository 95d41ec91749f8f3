package io.emp.jobqueue.queue.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.emp.jobqueue.core.model.Failure;
import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.model.JobEvent;
import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.core.model.JobSpec;
import io.emp.jobqueue.core.model.JobStatus;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.core.model.WorkerCapabilities;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Operator actions on jobs (issue 11): retry, promote now, delete, and the bulk-retry selection. */
class OperatorActionsTest extends StoreTestSupport {
  static final WorkerCapabilities W = WorkerCapabilities.of("w1", "sim");
  static final String TP1 = "00-11111111111111111111111111111111-1111111111111111-01";
  static final String TP2 = "00-22222222222222222222222222222222-2222222222222222-01";

  Job job(String id) {
    return get(store.get(id)).orElseThrow();
  }

  /** Submits (with trace TP1) and fails it for good with an error of {@code type}. */
  String failed(String service, String type) {
    String id = get(store.submit(JobSpec.of(service, 50, new JsonObject()).withTrace(TraceContext.of(TP1))))
        .jobId();
    ClaimedJob c = get(store.claim(WorkerCapabilities.of("w1", service), 10, 60_000)).job().orElseThrow();
    get(store.fail(id, c.token(), Failure.permanent(type, "broke"), null));
    assertThat(job(id).status()).isEqualTo(JobStatus.FAILED);
    return id;
  }

  @Test
  void retryRunsAFailedJobAgainUnderItsIdWithFreshAttemptsAndTheErrorChainKept() {
    String id = failed("sim", "service_error");
    OperatorActions.Retried r = get(store.operator().retry(id, "admin key of customer '*'", TraceContext.of(TP2)));
    assertThat(r.previous()).isEqualTo(TraceContext.of(TP1));
    assertThat(r.previousAttempts()).isEqualTo(1);

    Job pending = job(id);
    assertThat(pending.status()).isEqualTo(JobStatus.PENDING);
    assertThat(pending.attempt()).isZero();
    assertThat(pending.workerId()).as("the previous run's worker is not this run's").isNull();
    assertThat(pending.failedAt()).isNull();
    assertThat(pending.trace().traceparent()).isEqualTo(TP2);
    assertThat(pending.errors()).hasSize(1);
    JsonObject err = pending.errors().getJsonObject(0);
    assertThat(err.getString("type")).isEqualTo("service_error");
    assertThat(err.getInteger("attempt")).isEqualTo(1);
    assertThat(err.getString("worker_id")).isEqualTo("w1");
    assertThat(err.getString("trace_id")).isEqualTo(TraceContext.of(TP1).traceId());
    assertThat(err.getLong("at")).isPositive();
    JsonObject view = get(store.queries().view(id)).orElseThrow();
    assertThat(view.getJsonArray("previous_trace_ids").getList()).containsExactly(TraceContext.of(TP1).traceId());
    assertThat(view.getInteger("attempts")).isEqualTo(1);
    assertThat(view.getString("trace_id")).isEqualTo(TraceContext.of(TP2).traceId());
    // no longer in the failed index, and no longer expiring
    assertThat(get(store.queries().list(JobStatus.FAILED, "sim", 10, null)).jobs()).isEmpty();
    assertThat(redis(Request.cmd(Command.PTTL).arg(store.keys().job(id))).toLong()).isEqualTo(-1);

    // it runs again with its whole retry budget, and the error chain grows across runs
    ClaimedJob again = get(store.claim(W, 10, 60_000)).job().orElseThrow();
    assertThat(again.job().id()).isEqualTo(id);
    assertThat(again.job().attempt()).isEqualTo(1);
    get(store.fail(id, again.token(), Failure.permanent("timeout", "again"), null));
    Job twice = job(id);
    assertThat(twice.errors()).hasSize(2);
    assertThat(twice.errors().getJsonObject(1).getString("trace_id")).isEqualTo(TraceContext.of(TP2).traceId());
    assertThat(get(store.queries().view(id)).orElseThrow().getInteger("attempts")).isEqualTo(2);

    List<JobEvent> events = get(store.queries().events(id, 0, 100));
    JobEvent retried = events.stream().filter(e -> "job_retried".equals(e.type())).findFirst().orElseThrow();
    assertThat(retried.toJson().getString("by")).isEqualTo("admin key of customer '*'");
    assertThat(retried.toJson().getString("previous_trace_id")).isEqualTo(TraceContext.of(TP1).traceId());
  }

  @Test
  void retryOfACancelledJobWorksAndOfAnyOtherStatusIsAConflict() {
    String cancelled = get(store.submit(JobSpec.of("sim", 50, new JsonObject()))).jobId();
    get(store.cancel(cancelled, "no", null));
    get(store.operator().retry(cancelled, "op", TraceContext.of(TP2)));
    assertThat(job(cancelled).status()).isEqualTo(JobStatus.PENDING);

    assertThatThrownBy(() -> get(store.operator().retry(cancelled, "op", TraceContext.of(TP2))))
        .isInstanceOfSatisfying(JobQueueException.class, e -> assertThat(e.code()).isEqualTo(JobQueueException.Code.CONFLICT));
    ClaimedJob c = get(store.claim(W, 10, 60_000)).job().orElseThrow();
    get(store.complete(cancelled, c.token(), new JsonObject(), null));
    assertThatThrownBy(() -> get(store.operator().retry(cancelled, "op", TraceContext.of(TP2))))
        .as("a completed job is not retried").isInstanceOfSatisfying(JobQueueException.class,
            e -> assertThat(e.code()).isEqualTo(JobQueueException.Code.CONFLICT));
    assertThatThrownBy(() -> get(store.operator().retry("nope", "op", TraceContext.of(TP2))))
        .isInstanceOfSatisfying(JobQueueException.class, e -> assertThat(e.code()).isEqualTo(JobQueueException.Code.NOT_FOUND));
  }

  @Test
  void promoteQueuesADelayedJobNowAndNothingElse() {
    StoreConfig slow = config().withRetry(new RetryPolicy(600_000, 600_000, 0.0, 0));
    store = get(JobStore.connect(vertx, slow));
    String id = get(store.submit(JobSpec.of("sim", 50, new JsonObject()).withMaxRetries(3))).jobId();
    ClaimedJob c = get(store.claim(W, 10, 60_000)).job().orElseThrow();
    get(store.fail(id, c.token(), Failure.retryable("service_error", "later"), null));
    assertThat(job(id).status()).isEqualTo(JobStatus.DELAYED);
    assertThat(get(store.claim(W, 10, 60_000)).job()).as("waiting out a ten-minute backoff").isEmpty();

    get(store.operator().promoteNow(id, "op", null));
    assertThat(job(id).status()).isEqualTo(JobStatus.PENDING);
    assertThat(job(id).dueAt()).isNull();
    assertThat(get(store.queries().events(id, 0, 100))).extracting(JobEvent::type).contains("job_promoted");
    assertThat(get(store.claim(W, 10, 60_000)).job()).map(cj -> cj.job().id()).contains(id);
    assertThatThrownBy(() -> get(store.operator().promoteNow(id, "op", null)))
        .isInstanceOfSatisfying(JobQueueException.class, e -> assertThat(e.code()).isEqualTo(JobQueueException.Code.CONFLICT));
  }

  @Test
  void deleteRemovesAFinalJobItsEventsAndEveryIndexEntryAndAuditsInTheGlobalStream() {
    String id = get(store.submit(JobSpec.of("sim", 50, new JsonObject()).withCustomer("cust1")
        .withIdempotencyKey("k1"))).jobId();
    assertThatThrownBy(() -> get(store.operator().delete(id, "op", null))).as("a pending job is not deleted")
        .isInstanceOfSatisfying(JobQueueException.class, e -> assertThat(e.code()).isEqualTo(JobQueueException.Code.CONFLICT));
    ClaimedJob c = get(store.claim(W, 10, 60_000)).job().orElseThrow();
    get(store.complete(id, c.token(), new JsonObject(), null));

    get(store.operator().delete(id, "admin key of customer '*'", null));
    assertThat(get(store.get(id))).isEmpty();
    assertThat(redis(Request.cmd(Command.EXISTS).arg(store.keys().jobEvents(id))).toInteger()).isZero();
    for (String index : List.of(store.keys().idx("completed"), store.keys().idxService("completed", "sim"),
        store.keys().created(), store.keys().createdCustomer("cust1"), store.keys().createdService("sim"))) {
      assertThat(redis(Request.cmd(Command.ZSCORE).arg(index).arg(id))).as(index).isNull();
    }
    assertThat(redis(Request.cmd(Command.ZCARD).arg(store.keys().expiring())).toInteger()).isZero();
    assertThat(redis(Request.cmd(Command.EXISTS).arg(store.keys().idem("k1"))).toInteger()).isZero();
    JobEvent audit = get(store.queries().globalEvents("0-0", 100)).stream().filter(e -> "job_deleted".equals(e.type()))
        .findFirst().orElseThrow();
    assertThat(audit.jobId()).isEqualTo(id);
    assertThat(audit.toJson().getString("by")).isEqualTo("admin key of customer '*'");
    assertThatThrownBy(() -> get(store.operator().delete(id, "op", null)))
        .isInstanceOfSatisfying(JobQueueException.class, e -> assertThat(e.code()).isEqualTo(JobQueueException.Code.NOT_FOUND));
  }

  @Test
  void bulkSelectionMatchesStatusServiceErrorTypeAndFinishTime() {
    String a1 = failed("a", "timeout");
    String a2 = failed("a", "service_error");
    String b1 = failed("b", "timeout");
    long between = job(b1).failedAt();
    String a3 = failed("a", "timeout");
    await().atMost(Duration.ofSeconds(5)).until(() -> job(a3).failedAt() > between);

    assertThat(get(store.operator().selectForRetry(JobStatus.FAILED, null, null, null, null, 100))).containsExactly(a3, b1, a2, a1);
    assertThat(get(store.operator().selectForRetry(JobStatus.FAILED, "a", "timeout", null, null, 100))).containsExactly(a3, a1);
    assertThat(get(store.operator().selectForRetry(JobStatus.FAILED, null, "timeout", null, null, 2))).containsExactly(a3, b1);
    assertThat(get(store.operator().selectForRetry(JobStatus.FAILED, null, null, between, null, 100))).containsExactly(a3);
    assertThat(get(store.operator().selectForRetry(JobStatus.CANCELLED, null, null, null, null, 100))).isEmpty();
  }

  @Test
  void trimDropsBrowserIndexEntriesWhenTheJobsRetentionEnds() {
    StoreConfig shortLived = StoreConfig.from(new JsonObject().put("redis_url", redisServer.url())
        .put("retention_completed_ms", 1000)).withNamespace(config().namespace());
    store = get(JobStore.connect(vertx, shortLived));
    String done = get(store.submit(JobSpec.of("sim", 50, new JsonObject()).withCustomer("c1"))).jobId();
    String waiting = get(store.submit(JobSpec.of("sim", 50, new JsonObject()).withCustomer("c1"))).jobId();
    ClaimedJob c = get(store.claim(W, 10, 60_000)).job().orElseThrow();
    assertThat(c.job().id()).isEqualTo(done);
    get(store.complete(done, c.token(), new JsonObject(), null));
    assertThat(get(store.trimIndexes())).as("nothing is due yet").isZero();
    assertThat(get(store.queries().browse(JobFilter.ANY.withCustomer("c1"), 10, null)).jobs()).hasSize(2);

    await().atMost(Duration.ofSeconds(10)).until(() -> get(store.trimIndexes()) > 0);
    assertThat(redis(Request.cmd(Command.ZRANGE).arg(store.keys().created()).arg(0).arg(-1)).toString())
        .doesNotContain(done).contains(waiting);
    assertThat(redis(Request.cmd(Command.ZRANGE).arg(store.keys().createdCustomer("c1")).arg(0).arg(-1)).toString())
        .doesNotContain(done).contains(waiting);
    assertThat(redis(Request.cmd(Command.ZRANGE).arg(store.keys().createdService("sim")).arg(0).arg(-1)).toString())
        .doesNotContain(done).contains(waiting);
    assertThat(redis(Request.cmd(Command.ZCARD).arg(store.keys().expiring())).toInteger()).isZero();
  }

  @Test
  void aRareMatchBehindMoreThanOneCallsBudgetStillFillsThePage() {
    List<String> rare = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      rare.add(get(store.submit(JobSpec.of("rare", 50, new JsonObject()))).jobId());
    }
    List<io.vertx.core.Future<SubmitResult>> common = new java.util.ArrayList<>();
    for (int i = 0; i < JobQueries.BROWSE_BUDGET + 500; i++) {
      common.add(store.submit(JobSpec.of("common", 50, new JsonObject())));
    }
    get(io.vertx.core.Future.all(common));
    JobFilter rareOnly = new JobFilter(null, "rare", null, null, null, null, null, null, null, null);
    BrowsePage p = get(store.queries().browse(rareOnly, 3, null));
    assertThat(p.jobs()).extracting(j -> j.getString("id")).containsExactlyInAnyOrderElementsOf(rare);
    assertThat(p.nextCursor()).isNull();
    BrowsePage first = get(store.queries().browse(rareOnly, 2, null));
    BrowsePage second = get(store.queries().browse(rareOnly, 2, first.nextCursor()));
    assertThat(first.jobs()).hasSize(2);
    assertThat(second.jobs()).hasSize(1);
    assertThat(second.nextCursor()).isNull();
  }
}
