package io.emp.jobqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.emp.jobqueue.core.model.JobSpec;
import io.emp.jobqueue.queue.store.ClaimedJob;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** 1,000 concurrent sockets, one job each: every client gets its own completion and nobody else's. */
class ManyClientsTest extends GatewayTestSupport {
  static final int CLIENTS = 1_000;

  @BeforeAll
  static void start() {
    startStack(new JsonObject());
  }

  @Test
  void thousandClientsEachReceiveTheirOwnEvents() {
    String svc = newService();
    List<String> ids = new ArrayList<>(CLIENTS);
    for (int i = 0; i < CLIENTS; i++) {
      // A customer's job is stored under "<customer>~<name>" (PublicIds); its clients use the name.
      String name = "job-" + i + "-" + svc;
      get(store.submit(JobSpec.of(svc, 5, new JsonObject().put("i", i)).withCustomer(CUST_A)
          .withId(stored(CUST_A, name))));
      ids.add(name);
    }
    List<Future<TestSocket>> connecting = new ArrayList<>(CLIENTS);
    for (int i = 0; i < CLIENTS; i++) {
      connecting.add(TestSocket.connect(wsClient, port(), "/ws", KEY_A));
    }
    get(Future.all(connecting));
    List<TestSocket> sockets = connecting.stream().map(Future::result).toList();
    for (int i = 0; i < CLIENTS; i++) {
      sockets.get(i).subscribe(ids.get(i), null);
    }
    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> sockets.stream()
        .allMatch(s -> s.received.stream().anyMatch(m -> "subscribed".equals(m.getString("type")))));

    for (int i = 0; i < CLIENTS; i++) {
      ClaimedJob c = claim(svc);
      complete(c);
    }
    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> sockets.stream()
        .allMatch(s -> s.received.stream().anyMatch(m -> "complete_job".equals(m.getString("type")))));
    for (int i = 0; i < CLIENTS; i++) {
      String own = ids.get(i);
      List<JsonObject> events = sockets.get(i).received.stream().filter(m -> m.containsKey("seq")).toList();
      assertThat(events).allMatch(m -> own.equals(m.getString("job_id")));
      assertThat(events.stream().map(m -> m.getString("type")))
          .containsExactly("job_assigned", "complete_job");
    }
    get(Future.all(sockets.stream().map(s -> s.ws.close()).toList()));
  }
}
