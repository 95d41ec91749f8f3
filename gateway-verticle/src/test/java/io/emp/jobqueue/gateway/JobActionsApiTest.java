package io.emp.jobqueue.gateway;

import io.emp.jobqueue.core.telemetry.Attr;
import io.emp.jobqueue.core.telemetry.SpanName;
import static org.assertj.core.api.Assertions.assertThat;

import io.emp.jobqueue.core.model.Failure;
import io.emp.jobqueue.core.model.JobStatus;
import io.emp.jobqueue.core.model.WorkerCapabilities;
import io.emp.jobqueue.queue.store.ClaimedJob;
import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.queue.store.RetryPolicy;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Operator actions over HTTP (issue 11): retry, bulk retry, promote, delete; admin only, audited. */
class JobActionsApiTest extends GatewayTestSupport {

  @BeforeAll
  static void start() {
    startStack(new JsonObject());
  }

  /** A job of customer A, failed for good with an error of {@code type}; returns {stored id, submit trace id}. */
  static String[] failedJob(String svc, String type) {
    var res = get(http.post(port(), "127.0.0.1", "/api/jobs").bearerTokenAuthentication(KEY_A)
        .sendJsonObject(new JsonObject().put("service_required", svc)));
    String id = stored(CUST_A, res.bodyAsJsonObject().getString("job_id"));
    ClaimedJob c = get(store.claim(WorkerCapabilities.of("w-" + svc, svc), 50, 60_000)).job().orElseThrow();
    get(store.fail(id, c.token(), Failure.permanent(type, "it broke"), null));
    return new String[] {id, res.bodyAsJsonObject().getString("trace_id")};
  }

  static HttpResponse<Buffer> post(String path, String key, JsonObject body) {
    var req = http.post(port(), "127.0.0.1", path).bearerTokenAuthentication(key);
    return get(body == null ? req.send() : req.sendJsonObject(body));
  }

  @Test
  void actionsNeedAnAdminKey() {
    String[] job = failedJob(newService(), "timeout");
    String publicId = publicOf(CUST_A, job[0]);
    assertThat(post("/api/jobs/" + publicId + "/retry", KEY_A, null).statusCode()).isEqualTo(403);
    assertThat(post("/api/jobs/" + publicId + "/promote", KEY_A, null).statusCode()).isEqualTo(403);
    assertThat(post("/api/jobs/retry", KEY_A, new JsonObject()).statusCode()).isEqualTo(403);
    assertThat(get(http.delete(port(), "127.0.0.1", "/api/jobs/" + publicId).bearerTokenAuthentication(KEY_A).send())
        .statusCode()).isEqualTo(403);
    assertThat(post("/api/jobs/" + job[0] + "/retry", "wrong-key-0123456789", null).statusCode()).isEqualTo(401);
    assertThat(get(store.get(job[0])).orElseThrow().status()).isEqualTo(JobStatus.FAILED);
  }

  @Test
  void retryAnswersTheContractLinksTheNewTraceToThePreviousAndAuditsWhoAsked() {
    String svc = newService();
    String[] job = failedJob(svc, "timeout");
    var res = post("/api/jobs/" + job[0] + "/retry", KEY_ADMIN, null);
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(200);
    JsonObject body = res.bodyAsJsonObject();
    assertThat(body.getString("job_id")).isEqualTo(job[0]);
    assertThat(body.getString("status")).isEqualTo("pending");
    assertThat(body.getInteger("attempt")).isZero();
    assertThat(body.getString("previous_trace_id")).isEqualTo(job[1]);
    assertThat(body.getString("trace_id")).isNotEqualTo(job[1]).hasSize(32);

    SpanData retry = Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> spans.getFinishedSpanItems()
        .stream().filter(s -> s.getName().equals(SpanName.REDIS_RETRY)
            && job[0].equals(s.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey(
                Attr.JOB_ID)))).findFirst().orElse(null), s -> s != null);
    assertThat(retry.getTraceId()).isEqualTo(body.getString("trace_id"));
    assertThat(retry.getLinks()).extracting(LinkData::getSpanContext).extracting(c -> c.getTraceId()).contains(job[1]);

    // the detail view: the error chain of the first run, the trace ids of both runs
    JsonObject detail = get(http.get(port(), "127.0.0.1", "/api/jobs/" + job[0]).bearerTokenAuthentication(KEY_ADMIN)
        .send()).bodyAsJsonObject();
    assertThat(detail.getString("status")).isEqualTo("pending");
    assertThat(detail.getJsonArray("errors")).hasSize(1);
    assertThat(detail.getJsonArray("errors").getJsonObject(0).getString("trace_id")).isEqualTo(job[1]);
    assertThat(detail.getJsonArray("previous_trace_ids").getList()).containsExactly(job[1]);
    assertThat(detail.getString("trace_id")).isEqualTo(body.getString("trace_id"));
    assertThat(detail.getInteger("attempts")).isEqualTo(1);

    JsonObject audit = get(http.get(port(), "127.0.0.1", "/api/jobs/" + job[0] + "/events")
        .bearerTokenAuthentication(KEY_ADMIN).send()).bodyAsJsonObject().getJsonArray("events").stream()
        .map(o -> (JsonObject) o).filter(e -> "job_retried".equals(e.getString("type"))).findFirst().orElseThrow();
    assertThat(audit.getString("by")).contains("admin key of customer '*'").doesNotContain(KEY_ADMIN);

    // the new run is claimed and runs; a retry of a job that is not failed or cancelled is a conflict
    assertThat(post("/api/jobs/" + job[0] + "/retry", KEY_ADMIN, null).statusCode()).isEqualTo(409);
    ClaimedJob again = claim(svc);
    assertThat(again.job().id()).isEqualTo(job[0]);
    assertThat(again.job().trace().traceId()).isEqualTo(body.getString("trace_id"));
    assertThat(post("/api/jobs/nope/retry", KEY_ADMIN, null).statusCode()).isEqualTo(404);
  }

  @Test
  void bulkRetryCountsOnADryRunAndRetriesTheMatchingJobs() {
    String svc = newService();
    String[] t1 = failedJob(svc, "timeout");
    String[] t2 = failedJob(svc, "timeout");
    String[] other = failedJob(svc, "validation_error");
    JsonObject filter = new JsonObject().put("service", svc).put("error_type", "timeout");

    JsonObject dry = post("/api/jobs/retry", KEY_ADMIN, filter.copy().put("dry_run", true)).bodyAsJsonObject();
    assertThat(dry.getInteger("matched")).isEqualTo(2);
    assertThat(dry.getInteger("retried")).isZero();
    assertThat(dry.getBoolean("dry_run")).isTrue();
    assertThat(dry.getJsonArray("job_ids").getList()).containsExactlyInAnyOrder(t1[0], t2[0]);
    assertThat(get(store.get(t1[0])).orElseThrow().status()).as("a dry run changes nothing").isEqualTo(JobStatus.FAILED);

    JsonObject done = post("/api/jobs/retry", KEY_ADMIN, filter).bodyAsJsonObject();
    assertThat(done.getInteger("matched")).isEqualTo(2);
    assertThat(done.getInteger("retried")).isEqualTo(2);
    assertThat(done.getBoolean("dry_run")).isFalse();
    for (String id : List.of(t1[0], t2[0])) {
      assertThat(get(store.get(id)).orElseThrow().status()).isEqualTo(JobStatus.PENDING);
    }
    assertThat(get(store.get(other[0])).orElseThrow().status()).isEqualTo(JobStatus.FAILED);

    var bad = post("/api/jobs/retry", KEY_ADMIN, new JsonObject().put("status", "pending").put("limit", 0)
        .put("bogus", 1));
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(details(bad.bodyAsJsonObject()).size()).isEqualTo(3);
  }

  @Test
  void promoteQueuesADelayedJobNow() {
    String svc = newService();
    String id = stored(CUST_A, submitHttp(KEY_A, new JsonObject().put("service_required", svc).put("max_retries", 3)));
    // a store whose backoff is ten minutes, so the housekeeper cannot promote the job first
    JobStore slow = get(JobStore.connect(vertx, storeCfg.withRetry(new RetryPolicy(600_000, 600_000, 0.0, 0))));
    ClaimedJob c = get(slow.claim(WorkerCapabilities.of("w-" + svc, svc), 50, 60_000)).job().orElseThrow();
    get(slow.fail(id, c.token(), Failure.retryable("service_error", "later"), null));
    get(slow.close());
    assertThat(get(store.get(id)).orElseThrow().status()).isEqualTo(JobStatus.DELAYED);

    var res = post("/api/jobs/" + id + "/promote", KEY_ADMIN, null);
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(200);
    assertThat(res.bodyAsJsonObject()).isEqualTo(new JsonObject().put("job_id", id).put("status", "pending"));
    assertThat(claim(svc).job().id()).isEqualTo(id);
    assertThat(post("/api/jobs/" + id + "/promote", KEY_ADMIN, null).statusCode()).isEqualTo(409);
  }

  @Test
  void deleteRemovesAFinalJobAndTheMonitorSeesWhoDidIt() {
    TestSocket mon = TestSocket.open(wsClient, port(), "/ws/monitor", KEY_ADMIN);
    mon.awaitType("full_state_snapshot", null);
    String svc = newService();
    String pending = stored(CUST_A, submitHttp(KEY_A, new JsonObject().put("service_required", svc)));
    var refused = get(http.delete(port(), "127.0.0.1", "/api/jobs/" + pending).bearerTokenAuthentication(KEY_ADMIN)
        .send());
    assertThat(refused.statusCode()).isEqualTo(409);

    String[] job = failedJob(newService(), "timeout");
    var res = get(http.delete(port(), "127.0.0.1", "/api/jobs/" + job[0]).bearerTokenAuthentication(KEY_ADMIN).send());
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(200);
    assertThat(res.bodyAsJsonObject()).isEqualTo(new JsonObject().put("job_id", job[0]).put("deleted", true));
    assertThat(get(http.get(port(), "127.0.0.1", "/api/jobs/" + job[0]).bearerTokenAuthentication(KEY_ADMIN).send())
        .statusCode()).isEqualTo(404);
    JsonObject seen = mon.awaitType("job_deleted", job[0]);
    assertThat(seen.getString("by")).contains("admin key of customer '*'").doesNotContain(KEY_ADMIN);
    mon.close();
  }
}
