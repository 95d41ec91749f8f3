package io.emp.jobqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.emp.jobqueue.queue.store.ClaimedJob;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A client that stops reading is cut off once its bounded outbound queue is full; others keep going. */
class SlowConsumerTest extends GatewayTestSupport {
  static final int MAX_QUEUED = 256;
  static final int EVENTS = 800;

  @BeforeAll
  static void start() {
    // Small socket buffers so the kernel cannot absorb the whole burst for the stalled client; small relay
    // batches so the healthy client (maybe on the same event loop) never has more than a few messages pending.
    startStack(new JsonObject().put("ws_max_queued_messages", MAX_QUEUED).put("send_buffer_bytes", 8192)
        .put("relay_batch", 8));
  }

  @Test
  void stalledClientIsClosedWith1013WhileAHealthyOneGetsEverything() {
    String svc = newService();
    String id = submitHttp(KEY_A, new JsonObject().put("service_required", svc));
    WebSocketClient tinyBuffers = vertx.createWebSocketClient(new WebSocketClientOptions().setReceiveBufferSize(4096));
    TestSocket slow = TestSocket.open(tinyBuffers, port(), "/ws", KEY_A);
    TestSocket healthy = TestSocket.open(wsClient, port(), "/ws", KEY_A);
    slow.subscribe(id, null);
    healthy.subscribe(id, null);
    slow.awaitType("subscribed", id);
    healthy.awaitType("subscribed", id);
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> gateway.openSessions() == 2);
    slow.ws.pause();

    ClaimedJob c = claim(svc);
    String filler = "x".repeat(4096);
    for (int i = 0; i < EVENTS; i++) {
      progress(c, i % 100, filler + i);
    }
    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> gateway.openSessions() <= 1);
    assertThat(healthy.closed).as("healthy client closed: %s", healthy.ws.closeReason()).isFalse();
    // seq 1 was the submit, 2 the claim, then one event per progress call.
    Awaitility.await().atMost(Duration.ofSeconds(60))
        .until(() -> seqs(healthy.received, id).size() == EVENTS + 1);
    assertThat(seqs(healthy.received, id).get(EVENTS)).isEqualTo(EVENTS + 2L);
    assertThat(healthy.closed).isFalse();

    slow.ws.resume();
    slow.awaitClosed();
    assertThat(slow.ws.closeStatusCode()).isEqualTo((short) 1013);
    assertThat(slow.ws.closeReason()).contains("slow consumer").isEqualTo(WsSession.slowConsumerReason(MAX_QUEUED));
    assertThat(seqs(slow.received, id).size()).isLessThan(EVENTS);
    healthy.close();
    // closing it here also keeps the client reachable: Vert.x closes a collected client's sockets 30 s later
    get(tinyBuffers.close());
  }
}
