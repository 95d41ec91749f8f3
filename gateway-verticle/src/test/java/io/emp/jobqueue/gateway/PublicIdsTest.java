package io.emp.jobqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.core.model.JobQueueException.Code;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The id translation as pure functions: what a client or an admin names, and what each sees. */
class PublicIdsTest {
  static final Principal A = new Principal("custA", false);
  static final Principal ADMIN = new Principal("*", true);

  @Test
  void aClientNamesItsOwnJobsOnly() {
    assertThat(PublicIds.job(A, "order-1")).isEqualTo("custA~order-1");
    assertThat(PublicIds.job(A, "custB~order-1")).as("a stored id is not a name").isNull();
    assertThat(PublicIds.job(A, "order-1:events")).isNull();
    assertThat(PublicIds.job(A, "")).isNull();
    assertThat(PublicIds.job(A, null)).isNull();
    assertThat(PublicIds.job(A, "x".repeat(129))).isNull();
    assertThat(PublicIds.workflow(A, "wf-1")).isEqualTo("custA~wf-1");
  }

  @Test
  void anAdminUsesStoredIds() {
    assertThat(PublicIds.job(ADMIN, "custB~order-1")).isEqualTo("custB~order-1");
    assertThat(PublicIds.job(ADMIN, "bare-id")).isEqualTo("bare-id");
    assertThat(PublicIds.job(ADMIN, "custB~order-1:events")).isNull();
    assertThat(PublicIds.job(ADMIN, "a~b~c")).isNull();
    assertThat(PublicIds.out(ADMIN, "custA~order-1")).isEqualTo("custA~order-1");
  }

  @Test
  void outboundIsTheInverseForTheOwner() {
    assertThat(PublicIds.out(A, PublicIds.job(A, "order-1"))).isEqualTo("order-1");
    assertThat(PublicIds.out(A, "custAB~order-1")).as("another customer's prefix is not A's")
        .isEqualTo("custAB~order-1");
    JsonObject job = PublicIds.jobJson(A, new JsonObject().put("id", "custA~j").put("workflow_id", "custA~w")
        .put("idempotency_key", "custA/k").put("payload", new JsonObject().put("note", "custA~j")));
    assertThat(job.getString("id")).isEqualTo("j");
    assertThat(job.getString("workflow_id")).isEqualTo("w");
    assertThat(job.getString("idempotency_key")).isEqualTo("k");
    assertThat(job.getJsonObject("payload").getString("note")).as("the payload is the client's own data")
        .isEqualTo("custA~j");
  }

  @Test
  void forSubmitScopesGivenAndGeneratedIds() {
    assertThat(PublicIds.forSubmit("custA", "x")).isEqualTo("custA~x");
    assertThat(PublicIds.forSubmit("custA", null)).matches("custA~[0-9a-f-]{36}");
    assertThat(PublicIds.forSubmit(null, "x")).isEqualTo("x");
    assertThat(PublicIds.forSubmit(null, null)).isNull();
  }

  @Test
  void messagesQuoteNamesToTheirOwner() {
    Throwable e = PublicIds.failure(A, new JobQueueException(Code.CONFLICT, "job custA~x is already completed"));
    assertThat(e.getMessage()).isEqualTo("job x is already completed");
    assertThat(PublicIds.failure(ADMIN, new JobQueueException(Code.CONFLICT, "job custA~x")).getMessage())
        .isEqualTo("job custA~x");
  }
}
