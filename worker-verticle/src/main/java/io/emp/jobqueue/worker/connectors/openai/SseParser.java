package io.emp.jobqueue.worker.connectors.openai;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Incremental server-sent-events reader: bytes in (split anywhere, LF or CRLF), one {@code data}
 * payload out per event. Comment lines ({@code :}) and other fields ({@code event:}, {@code id:})
 * are skipped; multi-line data is joined with LF as the SSE spec says.
 */
public final class SseParser {
  private final Consumer<String> onData;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private final StringBuilder data = new StringBuilder();
  private boolean hasData;
  private boolean lastWasCr;

  public SseParser(Consumer<String> onData) {
    this.onData = onData;
  }

  public void feed(Buffer chunk) {
    byte[] bytes = chunk.getBytes();
    for (byte b : bytes) {
      if (b == '\n' && lastWasCr) {
        lastWasCr = false;
        continue;
      }
      lastWasCr = b == '\r';
      if (b == '\n' || b == '\r') {
        endLine();
      } else {
        line.write(b);
      }
    }
  }

  private void endLine() {
    String l = line.toString(StandardCharsets.UTF_8);
    line.reset();
    if (l.isEmpty()) {
      if (hasData) {
        String payload = data.toString();
        data.setLength(0);
        hasData = false;
        onData.accept(payload);
      }
      return;
    }
    if (l.startsWith(":")) {
      return;
    }
    int colon = l.indexOf(':');
    String field = colon < 0 ? l : l.substring(0, colon);
    String value = colon < 0 ? "" : l.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    if ("data".equals(field)) {
      if (hasData) {
        data.append('\n');
      }
      data.append(value);
      hasData = true;
    }
  }
}
