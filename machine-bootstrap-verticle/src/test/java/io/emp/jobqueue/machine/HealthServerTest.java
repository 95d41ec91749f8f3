package io.emp.jobqueue.machine;

import static io.emp.jobqueue.machine.Fixtures.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.emp.jobqueue.core.http.HttpTimeouts;
import io.emp.jobqueue.testing.RawConnection;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The machine's health server holds slow and silent clients to the same deadlines as the gateway. */
class HealthServerTest {
  static final Duration CUT = Duration.ofSeconds(15);
  static final MachineProfile PROFILE = MachineProfile.fromJson(new JsonObject().put("name", "p")
      .put("machine_type", "simulation").put("workers", "simulation:1"));
  static Vertx vertx;

  @BeforeAll
  static void up() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void down() {
    get(vertx.close());
  }

  @Test
  void halfOpenAndTrickledRequestsAreCutAtTheReadDeadlines() {
    // The idle timeout is far away: only the read deadlines can close these.
    HealthServer server = get(HealthServer.start(vertx, "127.0.0.1", 0, new HttpTimeouts(600_000, 300, 500), null));
    try {
      RawConnection halfOpen = RawConnection.connect(vertx, server.port()).send("GET /health HTTP/1.1\r\nHost: x\r\n");
      RawConnection trickle = RawConnection.connect(vertx, server.port()).send("GET /health HTTP/1.1\r\n")
          .trickle("X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 20);
      RawConnection body = RawConnection.connect(vertx, server.port())
          .send("POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{");
      halfOpen.awaitClosed(CUT);
      trickle.awaitClosed(CUT);
      body.awaitClosed(CUT);
      assertThat(halfOpen.text()).isEmpty();
      assertThat(trickle.text()).isEmpty();
      // Answered at once (no route reads a body), but a body that never ends still frees the connection.
      assertThat(body.text()).startsWith("HTTP/1.1 405");
      var health = get(WebClient.create(vertx).get(server.port(), "127.0.0.1", "/health").send());
      assertThat(health.bodyAsJsonObject().getString("status")).isEqualTo("ok");
    } finally {
      get(server.close());
    }
  }

  @Test
  void aSilentConnectionIsClosedAtTheIdleTimeout() {
    HealthServer server = get(HealthServer.start(vertx, "127.0.0.1", 0,
        new HttpTimeouts(300, 600_000, 600_000), null));
    try {
      RawConnection.connect(vertx, server.port()).send("GET /health HTTP/1.1\r\n").awaitClosed(CUT);
    } finally {
      get(server.close());
    }
  }

  @Test
  void theDeadlinesAreMachineSettings() {
    JsonObject section = new JsonObject().put("machine_id", "m-1").put("health_http", new JsonObject()
        .put("idle_timeout_ms", 1_000).put("request_header_timeout_ms", 2_000).put("request_body_timeout_ms", 3_000));
    MachineConfig cfg = MachineConfig.from(section, PROFILE);
    assertThat(cfg.healthTimeouts()).isEqualTo(new HttpTimeouts(1_000, 2_000, 3_000));
    assertThat(MachineConfig.from(new JsonObject().put("machine_id", "m-1"), PROFILE).healthTimeouts()).isEqualTo(HttpTimeouts.DEFAULTS);
  }
}
