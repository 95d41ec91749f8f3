package io.emp.jobqueue.queue.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emp.jobqueue.core.model.JobSpec;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The store pipelines its commands on one connection per event loop, and reconnects when it is cut. */
class PipelinedRedisTest extends StoreTestSupport {

  /** 1,000 submits in flight at once from one event loop: one connection carries them all. */
  @Test
  void manyCommandsInFlightFromOneLoopShareOneConnection() {
    Promise<List<String>> done = Promise.promise();
    vertx.runOnContext(v -> {
      List<Future<SubmitResult>> fs = new ArrayList<>();
      for (int i = 0; i < 1_000; i++) {
        fs.add(store.submit(JobSpec.of("pipe", 50, new JsonObject())));
      }
      Future.all(fs).map(cf -> cf.<SubmitResult>list().stream().map(SubmitResult::jobId).toList()).onComplete(done);
    });
    assertThat(get(done.future())).hasSize(1_000).doesNotHaveDuplicates();
    // the connections whose last command was a script call: the pool would have spread the
    // submits over several (pool_size > 1), one per command in flight
    long carriers = redis(Request.cmd(Command.CLIENT).arg("LIST")).toString().lines()
        .filter(l -> l.contains(" cmd=evalsha ")).count();
    assertThat(store.config().poolSize()).isGreaterThan(1);
    assertThat(carriers).as("connections that carried the 1,000 concurrent submits").isEqualTo(1);
  }

  /** Redis drops every client: the commands after it open a new connection and succeed. */
  @Test
  void aConnectionThatIsCutIsReplaced() {
    Promise<Void> warm = Promise.promise();
    vertx.runOnContext(v -> store.submit(JobSpec.of("pipe", 50, new JsonObject())).<Void>mapEmpty().onComplete(warm));
    get(warm.future());
    // kill this store's connections (normal clients) from a connection that is not one of them
    var admin = io.vertx.redis.client.Redis.createClient(vertx, redisServer.url());
    get(admin.send(Request.cmd(Command.CLIENT).arg("KILL").arg("TYPE").arg("normal").arg("SKIPME").arg("yes")));
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      Promise<Boolean> ok = Promise.promise();
      vertx.runOnContext(v -> store.submit(JobSpec.of("pipe", 50, new JsonObject())).map(r -> r.created())
          .otherwise(false).onComplete(ok));
      return get(ok.future());
    });
    admin.close();
  }
}
