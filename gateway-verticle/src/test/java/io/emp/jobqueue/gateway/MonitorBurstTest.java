package io.emp.jobqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.emp.jobqueue.core.model.JobEvent;
import io.emp.jobqueue.queue.store.ClaimedJob;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A monitor socket under a burst of events, with the default bounds: many events per relay batch and
 * per flush, yet every event arrives as its own JSON message, in order, and the socket stays open.
 */
class MonitorBurstTest extends GatewayTestSupport {
  static final int JOBS = 12;
  static final int PROGRESS_PER_JOB = 500;

  @BeforeAll
  static void start() {
    startStack(new JsonObject());
  }

  @Test
  void aMonitorGetsEveryEventOfABurstAsSeparateMessagesAndStaysOpen() {
    TestSocket monitor = TestSocket.open(wsClient, port(), "/ws/monitor", KEY_ADMIN);
    // connection_established is sent after the session joined the monitors
    monitor.awaitType("connection_established", null);
    // the burst below is written with batched flushes, not one syscall per message
    assertThat(gateway.flushBatchedSessions()).isEqualTo(1);
    String svc = newService();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < JOBS; i++) {
      ids.add(stored(CUST_A, submitHttp(KEY_A, new JsonObject().put("service_required", svc))));
    }
    List<ClaimedJob> claimed = new ArrayList<>();
    for (int i = 0; i < JOBS; i++) {
      claimed.add(claim(svc));
    }

    // every job's progress calls run back to back, the jobs side by side: about 6,000 events in a second or two
    List<Future<Void>> chains = new ArrayList<>();
    for (ClaimedJob c : claimed) {
      Future<Void> chain = Future.succeededFuture();
      for (int i = 0; i < PROGRESS_PER_JOB; i++) {
        int n = i;
        chain = chain.compose(v -> store.progress(c.job().id(), c.token(), n % 100, "step " + n, 0, null).mapEmpty());
      }
      chains.add(chain);
    }
    get(Future.all(chains));

    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> progressByJob(monitor).values().stream()
        .mapToInt(List::size).sum() >= JOBS * PROGRESS_PER_JOB);
    Map<String, List<Long>> byJob = progressByJob(monitor);
    assertThat(byJob.keySet()).containsExactlyInAnyOrderElementsOf(claimed.stream().map(c -> c.job().id()).toList());
    for (ClaimedJob c : claimed) {
      List<Long> seqs = byJob.get(c.job().id());
      assertThat(seqs).as("job %s", c.job().id()).hasSize(PROGRESS_PER_JOB).isSorted().doesNotHaveDuplicates();
      // seq 1 was the submit, 2 the claim: the progress events follow without a gap
      assertThat(seqs.get(0)).isEqualTo(3L);
      assertThat(seqs.get(PROGRESS_PER_JOB - 1)).isEqualTo(PROGRESS_PER_JOB + 2L);
    }
    assertThat(ids).hasSize(JOBS);
    assertThat(monitor.closed).as("monitor closed").isFalse();
    assertThat(gateway.openSessions()).isEqualTo(1);
    monitor.close();
  }

  private static Map<String, List<Long>> progressByJob(TestSocket s) {
    return s.received.stream().filter(m -> JobEvent.PROGRESS.equals(m.getString("type")))
        .collect(Collectors.groupingBy(m -> m.getString("job_id"), Collectors.mapping(m -> m.getLong("seq"),
            Collectors.toList())));
  }
}
