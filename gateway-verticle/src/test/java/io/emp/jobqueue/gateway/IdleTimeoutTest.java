package io.emp.jobqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.emp.jobqueue.testing.RawConnection;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A connection that says nothing is closed at the idle timeout (the read deadlines set far away). */
class IdleTimeoutTest extends GatewayTestSupport {

  @BeforeAll
  static void start() {
    startStack(new JsonObject().put("idle_timeout_ms", 300).put("request_header_timeout_ms", 600_000)
        .put("request_body_timeout_ms", 600_000).put("heartbeat_interval_ms", 100).put("heartbeat_timeout_ms", 1_000));
  }

  @Test
  void aSilentConnectionIsClosedAtTheIdleTimeout() {
    RawConnection silent = RawConnection.connect(vertx, port());
    RawConnection halfOpen = RawConnection.connect(vertx, port()).send("GET /health HTTP/1.1\r\n");
    silent.awaitClosed(Duration.ofSeconds(15));
    halfOpen.awaitClosed(Duration.ofSeconds(15));
    assertThat(halfOpen.text()).isEmpty();
  }
}
