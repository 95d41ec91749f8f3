package io.emp.jobqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.emp.jobqueue.testing.RawConnection;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Slowloris: half-open and trickled requests are cut at the read deadlines (the idle timeout is
 * set far away, so only the deadlines can close them), while WebSockets live on.
 */
class SlowClientsTest extends GatewayTestSupport {
  static final Duration CUT = Duration.ofSeconds(15);

  @BeforeAll
  static void start() {
    startStack(new JsonObject().put("idle_timeout_ms", 600_000).put("request_header_timeout_ms", 300)
        .put("request_body_timeout_ms", 500).put("heartbeat_interval_ms", 100).put("heartbeat_timeout_ms", 2_000));
  }

  @Test
  void twoHundredHalfOpenRequestsAreClosed() {
    List<Future<RawConnection>> opening = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      // sent as soon as each connects (the header deadline runs from the connect); no blank line: the head never ends
      // on a loaded machine the deadline may cut a connection before its head is written: that one is
      // closed without an answer too, which is what the test asks of every connection
      opening.add(RawConnection.open(vertx, port()).compose(c -> c.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
          .recover(closedFirst -> Future.succeededFuture(c))));
    }
    List<RawConnection> conns = get(Future.all(opening)).list();
    long opened = System.nanoTime();
    Awaitility.await().atMost(CUT).until(() -> conns.stream().allMatch(RawConnection::closed));
    System.out.println("[reliability] 200 half-open requests (header deadline 300 ms): all closed within "
        + (System.nanoTime() - opened) / 1_000_000 + " ms of the last one opening");
    assertThat(conns).allMatch(c -> c.text().isEmpty());
    assertThat(get(http.get(port(), "127.0.0.1", "/health").send()).statusCode()).isEqualTo(200);
  }

  @Test
  void aTrickledHeadIsCutAlthoughBytesKeepComing() {
    RawConnection c = RawConnection.connect(vertx, port());
    c.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    c.trickle("X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 20);
    c.awaitClosed(CUT);
    assertThat(c.text()).isEmpty();
  }

  @Test
  void aKeptAliveConnectionMustSendItsNextHeadInTimeToo() {
    RawConnection c = RawConnection.connect(vertx, port());
    c.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").awaitText("\"ok\"", CUT);
    c.trickle("GET /health HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 20);
    c.awaitClosed(CUT);
    assertThat(c.text()).startsWith("HTTP/1.1 200").containsOnlyOnce("HTTP/1.1");
  }

  @Test
  void aBodyThatDoesNotArriveGets408InTheErrorShapeAndTheConnectionCloses() {
    RawConnection c = RawConnection.connect(vertx, port());
    c.send("POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + KEY_A
        + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"service");
    c.awaitClosed(CUT);
    assertThat(c.text()).startsWith("HTTP/1.1 408");
    JsonObject err = new JsonObject(c.body()).getJsonObject("error");
    assertThat(err.getString("code")).isEqualTo("request_timeout");
    assertThat(err.getJsonArray("details")).isEmpty();
  }

  @Test
  void webSocketsOutliveTheHeaderDeadline() {
    TestSocket ws = TestSocket.open(wsClient, port(), "/ws", KEY_A);
    ws.awaitType("connection_established", null);
    Awaitility.await().during(Duration.ofMillis(1_500)).atMost(Duration.ofSeconds(5)).until(() -> !ws.closed);
    ws.send(new JsonObject().put("type", "ping"));
    ws.awaitType("pong", null);
    ws.close();
  }
}
