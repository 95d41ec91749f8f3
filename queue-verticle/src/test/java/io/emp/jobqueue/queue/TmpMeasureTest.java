package io.emp.jobqueue.queue;

import io.emp.jobqueue.core.model.Failure;
import io.emp.jobqueue.core.model.JobSpec;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.core.model.WorkerCapabilities;
import io.emp.jobqueue.queue.store.JobFilter;
import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.emp.jobqueue.testing.TestRedis;
import io.opentelemetry.api.OpenTelemetry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TmpMeasureTest {
  static <T> T get(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(300, TimeUnit.SECONDS);
  }

  @Test
  void measure() throws Exception {
    try (TestRedis redis = TestRedis.start()) {
      Vertx vertx = Vertx.vertx();
      JobStore store = get(JobStore.connect(vertx, StoreConfig.defaults(redis.url()).withNamespace("m" + UUID.randomUUID().toString().substring(0, 6))));
      int n = 5000;
      List<Future<?>> fs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        fs.add(store.submit(JobSpec.of("s", 50, new JsonObject()).withCustomer(i % 10 == 0 ? "rare" : "common")));
      }
      get(Future.all(fs));
      for (int i = 0; i < 20_000; i++) {
        fs.add(store.submit(JobSpec.of("bulk", 50, new JsonObject()).withCustomer("common")));
        if (fs.size() > 2000) { get(Future.all(fs)); fs.clear(); }
      }
      get(Future.all(fs)); fs.clear();
      // fail 5000 jobs of service s
      for (int i = 0; i < n; i++) {
        var c = get(store.claim(WorkerCapabilities.of("w", "s"), 10, 60_000)).job().orElseThrow();
        fs.add(store.fail(c.job().id(), c.token(), Failure.permanent("timeout", "x"), null));
      }
      get(Future.all(fs)); fs.clear();
      for (int rep = 0; rep < 3; rep++) {
        long t = System.nanoTime();
        var p = get(store.browse(JobFilter.ANY.withCustomer("rare"), 50, null));
        long t1 = System.nanoTime();
        var q = get(store.browse(new JobFilter("failed", "s", null, null, "timeout", null, null, null, null, null), 500, null));
        long t2 = System.nanoTime();
        var r = get(store.browse(new JobFilter(null, null, null, "nobody", null, null, null, null, null, null), 50, null));
        long t3 = System.nanoTime();
        System.out.printf("[measure] customer page of 50: %.1f ms (%d); failed+timeout page of 500: %.1f ms (%d); no match over 25k: %.1f ms (%d)%n",
            (t1 - t) / 1e6, p.jobs().size(), (t2 - t1) / 1e6, q.jobs().size(), (t3 - t2) / 1e6, r.jobs().size());
      }
      JobActions actions = new JobActions(store, OpenTelemetry.noop().getTracer("x"));
      long t = System.nanoTime();
      JsonObject res = get(actions.retryMatching(new JsonObject().put("service", "s").put("limit", 5000), "me", TraceContext.EMPTY));
      System.out.printf("[measure] bulk retry of %d jobs: %.0f ms%n", res.getInteger("retried"), (System.nanoTime() - t) / 1e6);
      get(vertx.close());
    }
  }
}
