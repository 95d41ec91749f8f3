package io.emp.jobqueue.gateway;

import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * One outbound text message, encoded to UTF-8 once however many sockets it goes to. An event fanned
 * out to a thousand monitors and subscribers would otherwise be turned into bytes a thousand times
 * ({@code writeTextMessage(String)} encodes per call). Still one JSON document per WebSocket message:
 * the protocol (docs/api.md) has no batched form and clients parse each message on its own.
 */
final class WsText {
  private final byte[] utf8;
  private String text;

  private WsText(byte[] utf8, String text) {
    this.utf8 = utf8;
    this.text = text;
  }

  static WsText of(String text) {
    return new WsText(text.getBytes(StandardCharsets.UTF_8), text);
  }

  static WsText of(JsonObject json) {
    return of(json.encode());
  }

  /** Encoded size in bytes (the span's payload size). */
  int length() {
    return utf8.length;
  }

  String text() {
    if (text == null) {
      text = new String(utf8, StandardCharsets.UTF_8);
    }
    return text;
  }

  /**
   * A final text frame for one socket. Vert.x has no public way to build a text frame from bytes; this
   * constructor wraps the array (an unpooled heap buffer that Vert.x passes on as is), so every socket
   * gets its own wrapper around the same bytes and nothing is copied until Netty writes the frame.
   */
  WebSocketFrame frame() {
    return new WebSocketFrameImpl(WebSocketFrameType.TEXT, utf8, true);
  }
}
