package io.emp.jobqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.emp.jobqueue.core.model.JobEvent;
import io.emp.jobqueue.queue.store.ClaimedJob;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A monitor that stops reading gets every event fanned out to it like any other, so only its bound
 * keeps the gateway's memory in check: it is closed with 1013 and a reason once more than
 * {@code ws_max_queued_messages} wait, while a reading monitor keeps everything.
 */
class SlowMonitorTest extends GatewayTestSupport {
  static final int MAX_QUEUED = 256;
  /** 4 KiB events: the bound is about 1 MiB plus the socket buffers; the cap is 40 MiB, never reached. */
  static final int MAX_EVENTS = 10_000;

  @BeforeAll
  static void start() {
    // As SlowConsumerTest: small socket buffers so the kernel cannot absorb the burst for the stalled
    // monitor; small relay batches so the reading monitor never has more than a few messages pending.
    startStack(new JsonObject().put("ws_max_queued_messages", MAX_QUEUED).put("send_buffer_bytes", 8192)
        .put("relay_batch", 8));
  }

  @Test
  void aPausedMonitorIsClosedWith1013OnceItsBoundIsExceededWhileAReadingOneGetsEverything() {
    WebSocketClient tinyBuffers = vertx.createWebSocketClient(new WebSocketClientOptions().setReceiveBufferSize(4096));
    TestSocket slow = TestSocket.open(tinyBuffers, port(), "/ws/monitor", KEY_ADMIN);
    TestSocket healthy = TestSocket.open(wsClient, port(), "/ws/monitor", KEY_ADMIN);
    slow.awaitType("connection_established", null);
    healthy.awaitType("connection_established", null);
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> gateway.openSessions() == 2);
    slow.ws.pause();

    String svc = newService();
    submitHttp(KEY_A, new JsonObject().put("service_required", svc));
    ClaimedJob c = claim(svc);
    String filler = "x".repeat(4096);
    int sent = 0;
    // Events keep coming until the gateway gives up on the stalled monitor: a gateway that buffered
    // without bound would never close it and the loop would end at the cap.
    while (gateway.openSessions() > 1 && sent < MAX_EVENTS) {
      progress(c, sent % 100, filler + sent);
      sent++;
    }
    assertThat(gateway.openSessions()).as("stalled monitor still open after %d events of 4 KiB", sent).isEqualTo(1);
    assertThat(sent).isGreaterThan(MAX_QUEUED);
    int total = sent;
    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> progressSeqs(healthy) == total);
    assertThat(healthy.closed).as("the reading monitor was closed").isFalse();

    slow.ws.resume();
    slow.awaitClosed();
    assertThat(slow.ws.closeStatusCode()).isEqualTo((short) 1013);
    assertThat(slow.ws.closeReason()).isEqualTo(WsSession.slowConsumerReason(MAX_QUEUED))
        .startsWith("slow consumer: more than " + MAX_QUEUED + " messages waiting");
    assertThat(progressSeqs(slow)).isLessThan(total);
    healthy.close();
    // closing it here also keeps the client reachable: Vert.x closes a collected client's sockets 30 s later
    get(tinyBuffers.close());
  }

  private static long progressSeqs(TestSocket s) {
    return s.received.stream().filter(m -> JobEvent.PROGRESS.equals(m.getString("type"))).count();
  }
}
