package io.emp.jobqueue.queue.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.emp.jobqueue.core.model.JobSpec;
import io.emp.jobqueue.core.model.JobStatus;
import io.emp.jobqueue.core.model.WorkerCapabilities;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ConcurrencyTest extends StoreTestSupport {

  @Test
  void eightConcurrentClaimersCompleteEachOfFiveThousandJobsExactlyOnce() {
    int jobs = 5_000;
    List<Future<SubmitResult>> submits = new ArrayList<>();
    for (int i = 0; i < jobs; i++) {
      submits.add(store.submit(JobSpec.of("sim", i % 7 * 10, new JsonObject().put("i", i))));
    }
    get(Future.all(submits));

    Map<String, String> completedBy = new ConcurrentHashMap<>();
    AtomicInteger duplicates = new AtomicInteger();
    List<Future<Void>> claimers = new ArrayList<>();
    for (int w = 0; w < 8; w++) {
      WorkerCapabilities caps = WorkerCapabilities.of("w" + w, "sim");
      Promise<Void> done = Promise.promise();
      vertx.runOnContext(v -> loop(caps, completedBy, duplicates, done));
      claimers.add(done.future());
    }
    get(Future.all(claimers));

    assertThat(duplicates.get()).isZero();
    assertThat(completedBy).hasSize(jobs);
    assertThat(completedBy.values()).as("every claimer got work").containsAll(
        List.of("w0", "w1", "w2", "w3", "w4", "w5", "w6", "w7"));
    ServiceStats s = get(store.queries().stats()).get(0);
    assertThat(s.pending()).isZero();
    assertThat(s.active()).isZero();
    assertThat(s.completed()).isEqualTo(jobs);
    assertThat(get(store.queries().list(JobStatus.COMPLETED, "sim", 500, null)).jobs())
        .allSatisfy(j -> assertThat(j.attempt()).isEqualTo(1));
  }

  private void loop(WorkerCapabilities caps, Map<String, String> completedBy, AtomicInteger dups,
                    Promise<Void> done) {
    store.claim(caps, 10, 60_000).compose(r -> {
      if (r.job().isEmpty()) {
        return Future.succeededFuture(false);
      }
      ClaimedJob c = r.job().get();
      if (completedBy.putIfAbsent(c.job().id(), caps.workerId()) != null) {
        dups.incrementAndGet();
      }
      return store.complete(c.job().id(), c.token(), new JsonObject(), null).map(true);
    }).onComplete(ar -> {
      if (ar.failed()) {
        done.fail(ar.cause());
      } else if (ar.result()) {
        loop(caps, completedBy, dups, done);
      } else {
        done.complete();
      }
    });
  }
}
