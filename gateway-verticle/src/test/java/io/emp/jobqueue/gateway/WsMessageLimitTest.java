package io.emp.jobqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Browsers send a message as one frame: a frame as large as the message limit (2 MiB by default) is
 * fine, and anything over the limit, in one frame or in fragments, is closed with 1009 and a reason.
 */
class WsMessageLimitTest extends GatewayTestSupport {
  static final int MIB = 1024 * 1024;

  @BeforeAll
  static void start() {
    startStack(new JsonObject());
  }

  @Test
  void aOneMibFrameIsOneMessage() {
    String svc = newService();
    TestSocket ws = TestSocket.open(wsClient, port(), "/ws", KEY_A);
    ws.awaitType("connection_established", null);
    String big = new JsonObject().put("type", "submit_job").put("message_id", "big-" + svc)
        .put("service_required", svc).put("payload", new JsonObject().put("workflow", "x".repeat(1_000_000)))
        .encode();
    assertThat(big.length()).isGreaterThan(64 * 1024).isLessThan(MIB);
    get(ws.ws.writeFrame(WebSocketFrame.textFrame(big, true)));
    JsonObject accepted = ws.awaitType("job_accepted", "big-" + svc);
    assertThat(accepted.getBoolean("created")).isTrue();
    assertThat(ws.closed).isFalse();
    ws.close();
  }

  @Test
  void aFrameOverTheMessageLimitIsClosedWith1009() {
    TestSocket ws = TestSocket.open(wsClient, port(), "/ws", KEY_A);
    ws.awaitType("connection_established", null);
    ws.ws.writeFrame(WebSocketFrame.textFrame("x".repeat(2 * MIB + 1), true));
    ws.awaitClosed();
    assertThat(ws.ws.closeStatusCode()).isEqualTo((short) 1009);
    assertThat(ws.ws.closeReason()).contains("larger than " + (2 * MIB) + " bytes");
  }

  @Test
  void aFragmentedMessageOverTheLimitIsClosedWith1009() {
    TestSocket ws = TestSocket.open(wsClient, port(), "/ws", KEY_A);
    ws.awaitType("connection_established", null);
    Buffer part = Buffer.buffer("y".repeat(MIB));
    get(ws.ws.writeFrame(WebSocketFrame.textFrame(part.toString(), false)));
    get(ws.ws.writeFrame(WebSocketFrame.continuationFrame(part, false)));
    ws.ws.writeFrame(WebSocketFrame.continuationFrame(part, true));
    ws.awaitClosed();
    assertThat(ws.ws.closeStatusCode()).isEqualTo((short) 1009);
    assertThat(ws.ws.closeReason()).contains("larger than");
  }
}
