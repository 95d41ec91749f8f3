package io.emp.jobqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.emp.jobqueue.queue.store.ClaimedJob;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.stream.LongStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A long replay to a socket with a tiny outbound bound is paced, not cut off. */
class ReplayBackpressureTest extends GatewayTestSupport {
  static final int EVENTS = 200;

  @BeforeAll
  static void start() {
    // Small socket buffers: the kernel cannot absorb the replay, so only pacing keeps the client connected.
    startStack(new JsonObject().put("ws_max_queued_messages", 8).put("send_buffer_bytes", 8192));
  }

  @Test
  void resumeFromZeroReplaysEveryEventInOrderWithoutTrippingTheBound() {
    String svc = newService();
    String id = submitHttp(KEY_A, new JsonObject().put("service_required", svc));
    ClaimedJob c = claim(svc);
    String filler = "y".repeat(2048);
    for (int i = 0; i < EVENTS; i++) {
      progress(c, i % 100, filler + i);
    }
    WebSocketClient tinyBuffers = vertx.createWebSocketClient(new WebSocketClientOptions().setReceiveBufferSize(4096));
    TestSocket ws = TestSocket.open(tinyBuffers, port(), "/ws", KEY_A);
    ws.subscribe(id, 0L);
    Awaitility.await().atMost(Duration.ofSeconds(60))
        .until(() -> ws.closed || seqs(ws.received, id).size() == EVENTS + 2);
    assertThat(ws.closed).as("cut off during replay: %s", ws.ws.closeReason()).isFalse();
    complete(c);
    ws.awaitType("complete_job", id);
    List<Long> expected = LongStream.rangeClosed(1, EVENTS + 3).boxed().toList();
    assertThat(seqs(ws.received, id)).isEqualTo(expected);
    assertThat(ws.closed).isFalse();
    ws.close();
    // closing it here also keeps the client reachable: Vert.x closes a collected client's sockets 30 s later
    get(tinyBuffers.close());
  }
}
