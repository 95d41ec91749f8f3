package io.emp.jobqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emp.jobqueue.queue.store.ClaimedJob;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class WebSocketTest extends GatewayTestSupport {

  @BeforeAll
  static void start() {
    startStack(new JsonObject());
  }

  @Test
  void subscriberReceivesItsJobsEventsInOrder() {
    String svc = newService();
    String id = submitHttp(KEY_A, new JsonObject().put("service_required", svc));
    TestSocket ws = TestSocket.open(wsClient, port(), "/ws", KEY_A);
    assertThat(ws.awaitType("connection_established", null).getBoolean("authenticated")).isTrue();
    ws.subscribe(id, 0L);
    ws.awaitType("job_submitted", id);
    ClaimedJob c = claim(svc);
    progress(c, 50, "half way");
    complete(c);
    JsonObject done = ws.awaitType("complete_job", id);
    assertThat(done.getJsonObject("result").getBoolean("ok")).isTrue();
    assertThat(seqs(ws.received, id)).containsExactly(1L, 2L, 3L, 4L);
    assertThat(ws.received.stream().filter(m -> id.equals(m.getString("job_id"))).map(m -> m.getString("type")))
        .containsExactly("subscribed", "job_submitted", "job_assigned", "update_job_progress", "complete_job");
    ws.close();
  }

  @Test
  void subscribeWithoutLastSeqDeliversOnlyWhatFollows() {
    String svc = newService();
    String id = submitHttp(KEY_A, new JsonObject().put("service_required", svc));
    TestSocket ws = TestSocket.open(wsClient, port(), "/ws", KEY_A);
    ws.subscribe(id, null);
    assertThat(ws.awaitType("subscribed", id).getLong("last_seq")).isEqualTo(1L);
    complete(claim(svc));
    ws.awaitType("complete_job", id);
    assertThat(seqs(ws.received, id)).containsExactly(2L, 3L);
    ws.close();
  }

  @Test
  void authenticatesByQueryTokenOrFirstMessageAndRefusesBadKeys() {
    String svc = newService();
    String id = submitHttp(KEY_A, new JsonObject().put("service_required", svc));

    TestSocket byQuery = TestSocket.open(wsClient, port(), "/ws?token=" + KEY_A, null);
    assertThat(byQuery.awaitType("connection_established", null).getBoolean("authenticated")).isTrue();
    byQuery.close();

    TestSocket byMessage = TestSocket.open(wsClient, port(), "/ws", null);
    assertThat(byMessage.awaitType("connection_established", null).getBoolean("authenticated")).isFalse();
    byMessage.send(new JsonObject().put("type", "auth").put("token", KEY_A));
    byMessage.awaitType("authenticated", null);
    byMessage.subscribe(id, 0L);
    byMessage.awaitType("job_submitted", id);
    byMessage.close();

    assertThatThrownBy(() -> TestSocket.open(wsClient, port(), "/ws", "wrong-key-wrong-key-wrong"))
        .satisfies(e -> assertThat(((UpgradeRejectedException) rootCause(e)).getStatus()).isEqualTo(401));

    TestSocket anonymous = TestSocket.open(wsClient, port(), "/ws", null);
    anonymous.subscribe(id, 0L);
    anonymous.awaitClosed();
    assertThat(anonymous.ws.closeStatusCode()).isEqualTo((short) 1008);
    assertThat(anonymous.received.stream().noneMatch(m -> "job_submitted".equals(m.getString("type")))).isTrue();

    TestSocket wrongFirstMessage = TestSocket.open(wsClient, port(), "/ws", null);
    wrongFirstMessage.send(new JsonObject().put("type", "auth").put("token", "nope-nope-nope-nope-nope"));
    wrongFirstMessage.awaitClosed();
    assertThat(wrongFirstMessage.ws.closeStatusCode()).isEqualTo((short) 1008);
  }

  @Test
  void aCustomerCannotSubscribeToAnotherCustomersJob() {
    String svc = newService();
    String idA = submitHttp(KEY_A, new JsonObject().put("service_required", svc));
    TestSocket b = TestSocket.open(wsClient, port(), "/ws", KEY_B);
    b.subscribe(idA, 0L);
    JsonObject err = b.awaitType("error", idA);
    assertThat(err.getJsonObject("error").getString("code")).isEqualTo("not_found");
    // A's job moves on; B, refused, gets none of it while A's own socket does.
    TestSocket a = TestSocket.open(wsClient, port(), "/ws", KEY_A);
    a.subscribe(idA, null);
    a.awaitType("subscribed", idA);
    complete(claim(svc));
    a.awaitType("complete_job", idA);
    assertThat(b.received.stream().filter(m -> m.containsKey("seq"))).isEmpty();
    // The admin may follow any job.
    TestSocket admin = TestSocket.open(wsClient, port(), "/ws", KEY_ADMIN);
    admin.subscribe(stored(CUST_A, idA), 0L);
    admin.awaitType("complete_job", stored(CUST_A, idA));
    a.close();
    b.close();
    admin.close();
  }

  @Test
  void resumeAfterDisconnectGetsExactlyTheMissedEventsThenLive() {
    String svc = newService();
    String id = submitHttp(KEY_A, new JsonObject().put("service_required", svc));
    TestSocket first = TestSocket.open(wsClient, port(), "/ws", KEY_A);
    first.subscribe(id, 0L);
    ClaimedJob c = claim(svc);
    first.awaitType("job_assigned", id);
    long lastSeen = seqs(first.received, id).get(seqs(first.received, id).size() - 1);
    assertThat(lastSeen).isEqualTo(2L);
    first.close();

    for (int i = 1; i <= 3; i++) {
      progress(c, i * 10, "step " + i);
    }
    TestSocket resumed = TestSocket.open(wsClient, port(), "/ws", KEY_A);
    resumed.subscribe(id, lastSeen);
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> seqs(resumed.received, id).size() == 3);
    complete(c);
    resumed.awaitType("complete_job", id);
    assertThat(seqs(resumed.received, id)).containsExactly(3L, 4L, 5L, 6L);
    assertThat(resumed.received.stream().filter(m -> "update_job_progress".equals(m.getString("type")))
        .map(m -> m.getString("message"))).containsExactly("step 1", "step 2", "step 3");
    resumed.close();
  }

  @Test
  void submitJobOverTheSocketAutoSubscribes() {
    String svc = newService();
    TestSocket ws = TestSocket.open(wsClient, port(), "/ws", KEY_A);
    String messageId = "msg-" + svc;
    ws.send(new JsonObject().put("type", "submit_job").put("message_id", messageId).put("service_required", svc)
        .put("payload", new JsonObject().put("n", 1)));
    JsonObject accepted = ws.awaitType("job_accepted", messageId);
    assertThat(accepted.getString("status")).isEqualTo("pending");
    ws.awaitType("job_submitted", messageId);
    complete(claim(svc));
    ws.awaitType("complete_job", messageId);
    assertThat(seqs(ws.received, messageId)).containsExactly(1L, 2L, 3L);

    ws.send(new JsonObject().put("type", "subscribe"));
    JsonObject noId = ws.awaitType("error", null);
    assertThat(noId.getJsonObject("error").getJsonArray("details").getJsonObject(0).getString("field"))
        .isEqualTo("job_id");
    ws.received.clear();

    ws.send(new JsonObject().put("type", "submit_job").put("priority", -5));
    JsonObject err = ws.awaitType("error", null);
    assertThat(err.getJsonObject("error").getString("code")).isEqualTo("validation");
    assertThat(err.getJsonObject("error").getJsonArray("details")).hasSizeGreaterThanOrEqualTo(2);
    ws.close();
  }

  @Test
  void monitorGetsSnapshotsAndEveryCustomersEvents() {
    assertThatThrownBy(() -> TestSocket.open(wsClient, port(), "/ws/monitor", KEY_A))
        .satisfies(e -> assertThat(((UpgradeRejectedException) rootCause(e)).getStatus()).isEqualTo(403));
    TestSocket monitor = TestSocket.open(wsClient, port(), "/ws/monitor", KEY_ADMIN);
    monitor.awaitType("full_state_snapshot", null);
    String svcA = newService();
    String svcB = newService();
    String idA = submitHttp(KEY_A, new JsonObject().put("service_required", svcA));
    String idB = submitHttp(KEY_B, new JsonObject().put("service_required", svcB));
    monitor.awaitType("job_submitted", stored(CUST_A, idA));
    monitor.awaitType("job_submitted", stored(CUST_B, idB));
    monitor.send(new JsonObject().put("type", "request_full_state"));
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> monitor.received.stream()
        .filter(m -> "full_state_snapshot".equals(m.getString("type"))).count() == 2);
    JsonObject snap = monitor.received.stream().filter(m -> "full_state_snapshot".equals(m.getString("type")))
        .reduce((x, y) -> y).orElseThrow();
    assertThat(snap.getJsonObject("data").getJsonArray("services").encode()).contains(svcA).contains(svcB);
    monitor.close();
  }

  @Test
  void sockJsBridgeForwardsMonitorEventsAndRefusesInboundSends() {
    assertThatThrownBy(() -> get(wsClient.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port())
        .setURI("/eventbus/websocket?token=" + KEY_A))))
        .satisfies(e -> assertThat(((UpgradeRejectedException) rootCause(e)).getStatus()).isEqualTo(403));
    WebSocket bridge = get(wsClient.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port())
        .setURI("/eventbus/websocket?token=" + KEY_ADMIN)));
    List<JsonObject> frames = new CopyOnWriteArrayList<>();
    // The raw SockJS websocket transport of Vert.x 5 answers in binary frames, text inside.
    bridge.handler(buf -> frames.add(new JsonObject(buf.toString())));
    get(bridge.writeTextMessage(new JsonObject().put("type", "register").put("address", Broadcaster.MONITOR_EVENTS)
        .encode()));
    get(bridge.writeTextMessage(new JsonObject().put("type", "send").put("address", "emp.queue.submit")
        .put("body", new JsonObject().put("service_required", "x")).encode()));
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> frames.stream()
        .anyMatch(f -> "err".equals(f.getString("type"))));
    String svc = newService();
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
      // Registration is asynchronous: keep producing events until one arrives through the bridge.
      String id = submitHttp(KEY_A, new JsonObject().put("service_required", svc));
      return frames.stream().anyMatch(f -> f.getValue("body") instanceof JsonObject b
          && "job_submitted".equals(b.getString("type")) && stored(CUST_A, id).equals(b.getString("job_id")));
    });
    assertThat(frames.stream().filter(f -> "err".equals(f.getString("type"))).findFirst().orElseThrow()
        .getString("body")).isEqualTo("access_denied");
    get(bridge.close());
  }

  static Throwable rootCause(Throwable e) {
    while (e.getCause() != null && e.getCause() != e) {
      e = e.getCause();
    }
    return e;
  }
}
