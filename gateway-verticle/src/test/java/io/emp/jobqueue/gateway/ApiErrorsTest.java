package io.emp.jobqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.core.model.JobQueueException.Code;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** What the store says about Redis stays in the log: answers carry generic messages. */
class ApiErrorsTest {

  @Test
  void internalAndUnavailableAnswersCarryNoDriverText() {
    JsonObject internal = ApiErrors.body(ApiErrors.classify(new JobQueueException(Code.INTERNAL,
        "redis script error: WRONGTYPE Operation against a key holding the wrong kind of value")));
    assertThat(internal.getJsonObject("error").getString("code")).isEqualTo("internal");
    assertThat(internal.encode()).doesNotContain("WRONGTYPE").doesNotContain("redis").contains("internal error");
    JsonObject direct = ApiErrors.body(new JobQueueException(Code.INTERNAL, "ERR something from Lua"));
    assertThat(direct.encode()).doesNotContain("Lua").contains("internal error");

    JsonObject down = ApiErrors.body(ApiErrors.classify(new JobQueueException(Code.UNAVAILABLE,
        "redis unavailable: Connection refused: localhost/127.0.0.1:6390")));
    assertThat(down.getJsonObject("error").getString("code")).isEqualTo("unavailable");
    assertThat(down.encode()).doesNotContain("6390").doesNotContain("Connection refused");

    // a message the project wrote for the caller stays (why the queue is unavailable)
    JsonObject noQueue = ApiErrors.body(ApiErrors.classify(JobQueueException.unavailable(
        "queue service unavailable: no node with the queue role is reachable; retry later")));
    assertThat(noQueue.getJsonObject("error").getString("message")).contains("no node with the queue role");

    assertThat(ApiErrors.body(ApiErrors.classify(new IllegalStateException("boom at 10.0.0.1"))).encode())
        .doesNotContain("10.0.0.1");
  }

  @Test
  void edgeStatusesHaveTheirOwnCodes() {
    assertThat(ApiErrors.fromStatus(408).code()).isEqualTo(Code.REQUEST_TIMEOUT);
    assertThat(ApiErrors.fromStatus(414).code().httpStatus()).isEqualTo(414);
    assertThat(ApiErrors.wireCode(ApiErrors.fromStatus(431).code())).isEqualTo("headers_too_large");
  }
}
