package io.emp.jobqueue.queue.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** A stored notice keeps its body as text until a relay needs it as JSON. */
class MonitorNoticeTest {

  @Test
  void theBodyIsParsedOnDemandAndABrokenOneIsNull() {
    assertThat(new MonitorTail.Notice("1-0", MonitorNotices.MACHINES, "n1", "{\"machine_id\":\"m\"}").json())
        .isEqualTo(new JsonObject().put("machine_id", "m"));
    assertThat(new MonitorTail.Notice("1-0", MonitorNotices.MACHINES, "n1", "not json").json()).isNull();
    assertThat(new MonitorTail.Notice("1-0", MonitorNotices.MACHINES, "n1", "[1]").json()).isNull();
    assertThat(new MonitorTail.Notice("1-0", MonitorNotices.MACHINES, "n1", null).json()).isEqualTo(new JsonObject());
  }
}
