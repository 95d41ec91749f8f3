package io.emp.jobqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emp.jobqueue.core.model.Failure;
import io.emp.jobqueue.core.model.WorkerCapabilities;
import io.emp.jobqueue.queue.store.ClaimedJob;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** GET /api/jobs as a job browser (issue 11): filters, newest first, full pages, an exact cursor. */
class JobBrowserTest extends GatewayTestSupport {

  @BeforeAll
  static void start() {
    startStack(new JsonObject());
  }

  static JsonObject page(String key, String query) {
    var res = get(http.get(port(), "127.0.0.1", "/api/jobs?" + query).bearerTokenAuthentication(key).send());
    assertThat(res.statusCode()).as(res.bodyAsString()).isEqualTo(200);
    return res.bodyAsJsonObject();
  }

  static List<String> ids(JsonObject page) {
    return page.getJsonArray("jobs").stream().map(o -> ((JsonObject) o).getString("id")).toList();
  }

  @Test
  void aClientsPageIsFullOfItsOwnJobsEvenWhenOthersSubmittedMoreSince() {
    String svc = newService();
    List<String> mine = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      mine.add(submitHttp(KEY_A, new JsonObject().put("service_required", svc)));
    }
    for (int i = 0; i < 30; i++) {
      submitHttp(KEY_B, new JsonObject().put("service_required", svc));
    }
    JsonObject p = page(KEY_A, "service=" + svc + "&limit=5");
    List<String> newestFirst = new ArrayList<>(mine);
    java.util.Collections.reverse(newestFirst);
    assertThat(ids(p)).containsExactlyElementsOf(newestFirst);
    assertThat(p.getString("next_cursor")).as("nothing after the last of them").isNull();

    // another customer's id filter finds nothing, not an error
    assertThat(ids(page(KEY_A, "customer_id=" + CUST_B + "&service=" + svc))).isEmpty();
    assertThat(ids(page(KEY_B, "service=" + svc + "&limit=500"))).hasSize(30).doesNotContainAnyElementsOf(mine);
  }

  @Test
  void theCursorWalksEveryJobOnceNewestFirstEvenWithinOneMillisecond() {
    String svc = newService();
    List<String> all = new ArrayList<>();
    for (int i = 0; i < 23; i++) {
      all.add(stored(CUST_A, submitHttp(KEY_A, new JsonObject().put("service_required", svc))));
    }
    List<String> walked = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonObject p = page(KEY_ADMIN, "service=" + svc + "&limit=4" + (cursor == null ? "" : "&cursor=" + cursor));
      List<String> got = ids(p);
      cursor = p.getString("next_cursor");
      assertThat(got).hasSize(cursor == null ? 3 : 4);
      walked.addAll(got);
      pages++;
    } while (cursor != null);
    assertThat(pages).isEqualTo(6);
    assertThat(walked).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(all);
    List<Long> created = new ArrayList<>();
    for (String id : walked) {
      created.add(get(store.get(id)).orElseThrow().createdAt());
    }
    assertThat(created).isSortedAccordingTo((a, b) -> Long.compare(b, a));
  }

  @Test
  void everyFilterOfTheContractNarrowsTheList() {
    String svc = newService();
    String other = newService();
    long before = System.currentTimeMillis() - 1;
    String done = stored(CUST_A, submitHttp(KEY_A, new JsonObject().put("service_required", svc).put("id", "done-1")));
    String broken = stored(CUST_A, submitHttp(KEY_A, new JsonObject().put("service_required", svc).put("id", "broken-1")));
    String waiting = stored(CUST_B, submitHttp(KEY_B, new JsonObject().put("service_required", svc)));
    String elsewhere = stored(CUST_A, submitHttp(KEY_A, new JsonObject().put("service_required", other)));
    ClaimedJob c1 = get(store.claim(WorkerCapabilities.of("w-one", svc), 50, 60_000)).job().orElseThrow();
    assertThat(c1.job().id()).isEqualTo(done);
    get(store.complete(done, c1.token(), new JsonObject(), null));
    // finish times are milliseconds of Redis's clock (this host's): the failure must fall in a later
    // one, or the finished_after/before filters below cannot tell the two jobs apart
    long doneAt = get(store.get(done)).orElseThrow().completedAt();
    await().atMost(Duration.ofSeconds(5)).until(() -> System.currentTimeMillis() > doneAt);
    ClaimedJob c2 = get(store.claim(WorkerCapabilities.of("w-two", svc), 50, 60_000)).job().orElseThrow();
    get(store.fail(broken, c2.token(), Failure.permanent("validation_error", "bad input"), null));
    long finished = get(store.get(broken)).orElseThrow().failedAt();

    assertThat(ids(page(KEY_ADMIN, "service=" + svc))).containsExactly(waiting, broken, done);
    assertThat(ids(page(KEY_ADMIN, "service=" + svc + "&status=failed"))).containsExactly(broken);
    assertThat(ids(page(KEY_ADMIN, "service=" + svc + "&status=pending"))).containsExactly(waiting);
    assertThat(ids(page(KEY_ADMIN, "customer_id=" + CUST_B + "&service=" + svc))).containsExactly(waiting);
    assertThat(ids(page(KEY_ADMIN, "worker_id=w-one"))).containsExactly(done);
    assertThat(ids(page(KEY_ADMIN, "error_type=validation_error&service=" + svc))).containsExactly(broken);
    assertThat(ids(page(KEY_ADMIN, "service=" + svc + "&finished_after=" + (finished - 1)))).containsExactly(broken);
    assertThat(ids(page(KEY_ADMIN, "service=" + svc + "&finished_before=" + finished))).containsExactly(done);
    assertThat(ids(page(KEY_ADMIN, "created_after=" + before + "&customer_id=" + CUST_A)))
        .containsExactly(elsewhere, broken, done);
    assertThat(ids(page(KEY_ADMIN, "created_before=" + before + "&service=" + svc))).isEmpty();
    assertThat(ids(page(KEY_ADMIN, "id_prefix=" + CUST_A + "~broken"))).containsExactly(broken);
    // a client names its jobs without the customer scope, in the filter and in the answer
    assertThat(ids(page(KEY_A, "id_prefix=broken"))).containsExactly("broken-1");
    assertThat(ids(page(KEY_A, "service=" + svc))).containsExactly("broken-1", "done-1");

    var bad = get(http.get(port(), "127.0.0.1", "/api/jobs?status=nope&created_after=x&limit=0&id_prefix=a%20b")
        .bearerTokenAuthentication(KEY_ADMIN).send());
    assertThat(bad.statusCode()).isEqualTo(400);
    Set<String> fields = new HashSet<>();
    details(bad.bodyAsJsonObject()).forEach(d -> fields.add(((JsonObject) d).getString("field")));
    assertThat(fields).containsExactlyInAnyOrder("status", "created_after", "limit", "id_prefix");
  }
}
