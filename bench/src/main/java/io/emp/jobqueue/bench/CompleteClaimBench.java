package io.emp.jobqueue.bench;

import io.emp.jobqueue.core.model.JobSpec;
import io.emp.jobqueue.core.model.WorkerCapabilities;
import io.emp.jobqueue.queue.store.ClaimRequest;
import io.emp.jobqueue.queue.store.ClaimedJob;
import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * The store alone, without a worker: N lanes each drain a pre-filled queue job by job, either with
 * complete then claim (two script calls a job, as before issue 16) or with completeAndClaim (one),
 * alternating on the same Redis, with Redis' time in scripts per job from INFO commandstats.
 * Run: bench/run.sh complete-claim (-Dbench.jobs, -Dbench.lanes via BENCH_JAVA_OPTS)
 */
public final class CompleteClaimBench {
  static final WorkerCapabilities W = WorkerCapabilities.of("bench", "sim");

  public static void main(String[] args) throws Exception {
    int jobs = Integer.parseInt(System.getProperty("bench.jobs", "6000"));
    int lanes = Integer.parseInt(System.getProperty("bench.lanes", "50"));
    try (BenchRedis r = BenchRedis.start()) {
      System.out.printf("%d jobs, %d lanes, %d cores%n", jobs, lanes, Runtime.getRuntime().availableProcessors());
      for (int round = 0; round < 3; round++) {
        run(r.vertx, r.url, jobs, lanes, false);
        run(r.vertx, r.url, jobs, lanes, true);
      }
    }
  }

  static void run(Vertx vertx, String url, int jobs, int lanes, boolean combined) throws Exception {
    JobStore s = StoreBench.await(JobStore.connect(vertx, StoreConfig.defaults(url).withPoolSize(32)
        .withNamespace("cc" + UUID.randomUUID().toString().substring(0, 6))));
    List<Future<?>> fs = new ArrayList<>();
    for (int i = 0; i < jobs; i++) {
      fs.add(s.submit(JobSpec.of("sim", 50, new JsonObject())));
    }
    StoreBench.await(Future.all(fs));
    StoreBench.await(s.redis().send(Request.cmd(Command.CONFIG).arg("RESETSTAT")));
    long t0 = System.nanoTime();
    List<Future<?>> done = new ArrayList<>();
    for (ClaimedJob first : StoreBench.await(s.claim(new ClaimRequest(W, 20, 60_000, lanes))).jobs()) {
      Promise<Void> lane = Promise.promise();
      done.add(lane.future());
      drain(s, first, combined, lane);
    }
    StoreBench.await(Future.all(done));
    double secs = (System.nanoTime() - t0) / 1e9;
    RedisInfo.CommandStat evalsha = RedisInfo.commandStats(s).get("evalsha");
    long usec = evalsha == null ? 0 : evalsha.usec();
    System.out.printf(Locale.ROOT, "%-22s %6.0f jobs/s, Redis time in scripts %5.1f us per job%n",
        combined ? "completeAndClaim" : "complete, then claim", jobs / secs, usec / (double) jobs);
    s.close();
  }

  private static void drain(JobStore s, ClaimedJob c, boolean combined, Promise<Void> lane) {
    if (c == null) {
      lane.complete();
      return;
    }
    Future<ClaimedJob> next = combined
        ? s.completeAndClaim(c.job().id(), c.token(), new JsonObject(), null, new ClaimRequest(W, 20, 60_000, 1))
            .map(r -> r.next().jobs().isEmpty() ? null : r.next().jobs().get(0))
        : s.complete(c.job().id(), c.token(), new JsonObject(), null)
            .compose(at -> s.claim(W, 20, 60_000)).map(r -> r.job().orElse(null));
    next.onSuccess(n -> drain(s, n, combined, lane)).onFailure(lane::fail);
  }
}
