package io.emp.jobqueue.queue.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
import java.util.Set;
import java.util.stream.Collectors;
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

  /**
   * A server that stops being master answers READONLY: the connection that got it is dropped, so
   * the commands after it ask the topology again (a sentinel url would reach the new master).
   */
  @Test
  void aReadonlyReplyDropsTheConnection() {
    assertThat(onLoop(() -> store.submit(JobSpec.of("pipe", 50, new JsonObject())))).isNotNull();
    Set<String> before = scriptConnections();
    var admin = io.vertx.redis.client.Redis.createClient(vertx, redisServer.url());
    // a master that points nowhere: read-only until REPLICAOF NO ONE
    get(admin.send(Request.cmd(Command.REPLICAOF).arg("127.0.0.1").arg(1)));
    try {
      assertThatThrownBy(() -> onLoop(() -> store.submit(JobSpec.of("pipe", 50, new JsonObject()))))
          .hasMessageContaining("READONLY");
    } finally {
      get(admin.send(Request.cmd(Command.REPLICAOF).arg("NO").arg("ONE")));
    }
    assertThat(onLoop(() -> store.submit(JobSpec.of("pipe", 50, new JsonObject()))).created()).isTrue();
    Set<String> after = scriptConnections();
    // other tests' stores may still hold pipelines of their own: compare the sets. On a standalone
    // url the new pipeline may reuse the same socket, but it is a new pipeline (its name says so)
    assertThat(after).as("a new pipeline carries the commands").isNotEmpty().anyMatch(n -> !before.contains(n));
    admin.close();
  }

  /** The names of the pipelines whose last command was a script call. */
  Set<String> scriptConnections() {
    return redis(Request.cmd(Command.CLIENT).arg("LIST")).toString().lines()
        .filter(l -> l.contains(" cmd=evalsha ") && l.contains(" name=emp-pipeline-"))
        .map(l -> l.substring(l.indexOf(" name=") + 6, l.indexOf(' ', l.indexOf(" name=") + 1)))
        .collect(Collectors.toSet());
  }

  /** One event loop for the whole test (each vertx.runOnContext from outside may pick another). */
  final io.vertx.core.Context loop = vertx.getOrCreateContext();

  <T> T onLoop(java.util.function.Supplier<Future<T>> call) {
    Promise<T> p = Promise.promise();
    loop.runOnContext(v -> call.get().onComplete(p));
    return get(p.future());
  }
}
