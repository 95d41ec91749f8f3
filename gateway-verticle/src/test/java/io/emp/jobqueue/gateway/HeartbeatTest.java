package io.emp.jobqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Pings keep answering clients alive; a peer that never answers is closed with "heartbeat timeout". */
class HeartbeatTest extends GatewayTestSupport {

  @BeforeAll
  static void start() {
    startStack(new JsonObject().put("heartbeat_interval_ms", 100).put("heartbeat_timeout_ms", 500));
  }

  @Test
  void silentPeerIsClosedWhileAPongingClientStays() {
    TestSocket answering = TestSocket.open(wsClient, port(), "/ws", KEY_A);
    answering.awaitType("connection_established", null);

    // A hand-written WebSocket client over a plain TCP socket: it never answers pings.
    NetSocket raw = get(vertx.createNetClient().connect(port(), "127.0.0.1"));
    Buffer in = Buffer.buffer();
    raw.handler(b -> {
      synchronized (in) {
        in.appendBuffer(b);
      }
    });
    get(raw.write("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        + "Authorization: Bearer " + KEY_A + "\r\n\r\n"));
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> text(in).contains("heartbeat timeout"));
    assertThat(text(in)).startsWith("HTTP/1.1 101");
    assertThat(bytes(in)).contains((byte) 0x89);  // a ping frame was sent first

    // The answering client has been connected longer than the timeout and is still served.
    assertThat(answering.closed).isFalse();
    answering.send(new JsonObject().put("type", "ping"));
    answering.awaitType("pong", null);
    answering.close();
    raw.close();
  }

  private static String text(Buffer b) {
    synchronized (b) {
      return new String(b.getBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  private static Byte[] bytes(Buffer b) {
    synchronized (b) {
      byte[] raw = b.getBytes();
      Byte[] out = new Byte[raw.length];
      for (int i = 0; i < raw.length; i++) {
        out[i] = raw[i];
      }
      return out;
    }
  }
}
