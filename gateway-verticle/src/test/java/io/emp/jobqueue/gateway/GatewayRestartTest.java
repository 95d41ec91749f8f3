package io.emp.jobqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.emp.jobqueue.queue.store.ClaimedJob;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Undeploy and redeploy the gateway while a job runs: a resuming client misses nothing and sees nothing twice. */
class GatewayRestartTest extends GatewayTestSupport {

  @BeforeAll
  static void start() {
    startStack(new JsonObject());
  }

  @Test
  void clientResumesAfterGatewayRestartWithoutGap() {
    String svc = newService();
    String id = submitHttp(KEY_A, new JsonObject().put("service_required", svc));
    TestSocket before = TestSocket.open(wsClient, port(), "/ws", KEY_A);
    before.subscribe(id, 0L);
    ClaimedJob c = claim(svc);
    progress(c, 10, "one");
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> seqs(before.received, id).size() == 3);

    undeployGateway();
    before.awaitClosed();
    assertThat(before.ws.closeStatusCode()).isEqualTo((short) 1001);
    progress(c, 20, "two");    // emitted while no gateway runs
    progress(c, 30, "three");

    long redeploying = System.nanoTime();
    deployGateway(gatewayCfg);
    long up = System.nanoTime();
    List<Long> seen = seqs(before.received, id);
    TestSocket after = TestSocket.open(wsClient, port(), "/ws", KEY_A);
    after.subscribe(id, seen.get(seen.size() - 1));
    after.awaitType("subscribed", id);
    long resumed = System.nanoTime();
    progress(c, 40, "four");   // live through the new relay
    complete(c);
    after.awaitType("complete_job", id);

    assertThat(seen).containsExactly(1L, 2L, 3L);
    assertThat(seqs(after.received, id)).containsExactly(4L, 5L, 6L, 7L);
    assertThat(after.received.stream().filter(m -> "update_job_progress".equals(m.getString("type")))
        .map(m -> m.getString("message"))).containsExactly("two", "three", "four");
    System.out.println("[reliability] gateway restart: redeploy " + (up - redeploying) / 1_000_000 + " ms, new "
        + "socket subscribed with last_seq " + (resumed - up) / 1_000_000 + " ms after; 2 events emitted while down, "
        + "replayed 2, lost 0, duplicated 0");
    after.close();
  }
}
