package io.emp.jobqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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

  /**
   * The frame is refused from its header alone, before any of its payload is read. The test speaks
   * raw RFC 6455 on a plain socket and sends only that header: a client that kept writing the 2 MiB
   * payload would race the server's close, since a socket closed with unread input answers with a TCP
   * reset that can discard the close frame before the client reads it (seen as 1006 under load).
   */
  @Test
  void aFrameOverTheMessageLimitIsClosedWith1009FromItsHeader() throws Exception {
    try (Socket sock = new Socket("127.0.0.1", port())) {
      sock.setSoTimeout(10_000);
      OutputStream out = sock.getOutputStream();
      out.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
          + "Authorization: Bearer " + KEY_A + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      DataInputStream in = new DataInputStream(sock.getInputStream());
      String status = readHead(in);
      assertThat(status).startsWith("HTTP/1.1 101");
      assertThat(new String(readFrame(in).payload(), StandardCharsets.UTF_8)).contains("connection_established");
      long len = 2L * MIB + 1;
      ByteBuffer header = ByteBuffer.allocate(14);
      header.put((byte) 0x81).put((byte) (0x80 | 127)).putLong(len).putInt(0x11223344);
      out.write(header.array());
      out.flush();
      Frame close = readFrame(in);
      assertThat(close.opcode()).isEqualTo(8);
      int code = ((close.payload()[0] & 0xff) << 8) | (close.payload()[1] & 0xff);
      assertThat(code).isEqualTo(1009);
      assertThat(new String(close.payload(), 2, close.payload().length - 2, StandardCharsets.UTF_8))
          .contains("larger than " + (2 * MIB) + " bytes");
    }
  }

  record Frame(int opcode, byte[] payload) {}

  static String readHead(DataInputStream in) throws Exception {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      head.append((char) in.readUnsignedByte());
    }
    return head.toString();
  }

  /** One unmasked server frame (servers never mask). */
  static Frame readFrame(DataInputStream in) throws Exception {
    int b0 = in.readUnsignedByte();
    int b1 = in.readUnsignedByte() & 0x7f;
    long len = b1 == 126 ? in.readUnsignedShort() : b1 == 127 ? in.readLong() : b1;
    byte[] payload = new byte[(int) len];
    in.readFully(payload);
    return new Frame(b0 & 0x0f, payload);
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
