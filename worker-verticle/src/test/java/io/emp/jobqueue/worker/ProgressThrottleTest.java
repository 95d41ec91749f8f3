package io.emp.jobqueue.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ProgressThrottleTest {
  static Vertx vertx;

  record Sent(int percent, long at) {
  }

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  private static <T> T onContext(java.util.concurrent.Callable<T> c) throws Exception {
    Promise<T> p = Promise.promise();
    vertx.runOnContext(v -> {
      try {
        p.complete(c.call());
      } catch (Exception e) {
        p.fail(e);
      }
    });
    return p.future().toCompletionStage().toCompletableFuture().get(20, java.util.concurrent.TimeUnit.SECONDS);
  }

  @Test
  void burstBecomesOneCallPerIntervalCarryingTheLatestValue() throws Exception {
    List<Sent> sent = new CopyOnWriteArrayList<>();
    long interval = 150;
    ProgressThrottle t = onContext(() -> new ProgressThrottle(vertx, interval, (p, m) -> {
      sent.add(new Sent(p, System.currentTimeMillis()));
      return Future.succeededFuture();
    }));
    onContext(() -> {
      for (int i = 1; i <= 50; i++) {
        t.report(i, "step " + i);
      }
      return null;
    });
    // the first report goes at once; the other 49 collapse into one call after the interval
    await().atMost(Duration.ofSeconds(10)).until(() -> sent.size() == 2);
    assertThat(sent.get(0).percent()).isEqualTo(1);
    assertThat(sent.get(1).percent()).isEqualTo(50);
    assertThat(sent.get(1).at() - sent.get(0).at()).isGreaterThanOrEqualTo(interval - 5);
    onContext(() -> {
      t.report(60, null);
      t.report(70, null);
      return null;
    });
    onContext(t::flush).toCompletionStage().toCompletableFuture().get();
    assertThat(sent.get(sent.size() - 1).percent()).isEqualTo(70);
    int count = sent.size();
    onContext(() -> {
      t.report(80, null); // after flush: ignored
      return null;
    });
    assertThat(sent).hasSize(count);
  }

  @Test
  void flushWaitsForTheCallInFlightAndKeepsOrder() throws Exception {
    List<Integer> order = new CopyOnWriteArrayList<>();
    Promise<Void> slow = Promise.promise();
    ProgressThrottle t = onContext(() -> new ProgressThrottle(vertx, 0, (p, m) -> {
      order.add(p);
      return p == 10 ? slow.future() : Future.succeededFuture();
    }));
    onContext(() -> {
      t.report(10, null);
      t.report(90, null);
      return null;
    });
    Future<Void> flushed = onContext(t::flush);
    assertThat(order).containsExactly(10);
    assertThat(flushed.isComplete()).isFalse();
    vertx.runOnContext(v -> slow.complete());
    flushed.toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(order).containsExactly(10, 90);
  }

  @Test
  void closeDropsUnsentReports() throws Exception {
    List<Integer> sent = new CopyOnWriteArrayList<>();
    ProgressThrottle t = onContext(() -> new ProgressThrottle(vertx, 60_000, (p, m) -> {
      sent.add(p);
      return Future.succeededFuture();
    }));
    onContext(() -> {
      t.report(1, null);
      t.report(2, null);
      t.close();
      return null;
    });
    onContext(t::flush).toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(sent).containsExactly(1);
  }
}
