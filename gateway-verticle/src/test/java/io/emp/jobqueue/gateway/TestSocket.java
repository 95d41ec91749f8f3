package io.emp.jobqueue.gateway;

import org.awaitility.Awaitility;

import io.vertx.core.Future;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** A real WebSocket client that records every JSON message it receives. */
final class TestSocket {
  final WebSocket ws;
  final List<JsonObject> received = new CopyOnWriteArrayList<>();
  volatile boolean closed;

  private TestSocket(WebSocket ws) {
    this.ws = ws;
  }

  static Future<TestSocket> connect(WebSocketClient client, int port, String uri, String bearer) {
    WebSocketConnectOptions o = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri);
    if (bearer != null) {
      o.addHeader("Authorization", "Bearer " + bearer);
    }
    return client.connect(o).map(ws -> {
      TestSocket t = new TestSocket(ws);
      ws.textMessageHandler(s -> t.received.add(new JsonObject(s)));
      ws.closeHandler(v -> t.closed = true);
      return t;
    });
  }

  static TestSocket open(WebSocketClient client, int port, String uri, String bearer) {
    return GatewayTestSupport.get(connect(client, port, uri, bearer));
  }

  void send(JsonObject msg) {
    GatewayTestSupport.get(ws.writeTextMessage(msg.encode()));
  }

  void subscribe(String jobId, Long lastSeq) {
    JsonObject m = new JsonObject().put("type", "subscribe").put("job_id", jobId);
    if (lastSeq != null) {
      m.put("last_seq", lastSeq);
    }
    send(m);
  }

  JsonObject await(Predicate<JsonObject> p) {
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> received.stream().anyMatch(p));
    return received.stream().filter(p).findFirst().orElseThrow();
  }

  JsonObject awaitType(String type, String jobId) {
    return await(m -> type.equals(m.getString("type")) && (jobId == null || jobId.equals(m.getString("job_id"))));
  }

  void awaitClosed() {
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> closed);
  }

  void close() {
    if (!closed) {
      GatewayTestSupport.get(ws.close());
    }
  }
}
