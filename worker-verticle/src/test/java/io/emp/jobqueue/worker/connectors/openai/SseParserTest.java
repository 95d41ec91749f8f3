package io.emp.jobqueue.worker.connectors.openai;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseParserTest {

  @Test
  void emitsOneDataPayloadPerEventWhereverTheBytesAreSplit() {
    String text = ": keep-alive\n\nevent: message\ndata: {\"a\":1}\n\ndata: line1\ndata: line2\r\n\r\ndata:[DONE]\n\n";
    for (int cut = 1; cut < text.length(); cut++) {
      List<String> got = new ArrayList<>();
      SseParser p = new SseParser(got::add);
      p.feed(Buffer.buffer(text.substring(0, cut)));
      p.feed(Buffer.buffer(text.substring(cut)));
      assertThat(got).as("cut at %d", cut).containsExactly("{\"a\":1}", "line1\nline2", "[DONE]");
    }
  }

  @Test
  void holdsAnUnfinishedEventUntilItsBlankLine() {
    List<String> got = new ArrayList<>();
    SseParser p = new SseParser(got::add);
    p.feed(Buffer.buffer("data: partial\n"));
    assertThat(got).isEmpty();
    p.feed(Buffer.buffer("\n"));
    assertThat(got).containsExactly("partial");
  }
}
