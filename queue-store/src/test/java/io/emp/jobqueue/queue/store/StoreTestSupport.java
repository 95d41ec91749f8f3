package io.emp.jobqueue.queue.store;

import io.emp.jobqueue.testing.TestRedis;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** One redis-server and one Vert.x per test class; a fresh key namespace per test. */
abstract class StoreTestSupport {
  static TestRedis redisServer;
  static Vertx vertx;
  JobStore store;

  /** Short backoffs so retry paths run in milliseconds. */
  static final RetryPolicy FAST_RETRY = new RetryPolicy(20, 100, 0.0, 0);

  @BeforeAll
  static void startRedis() {
    redisServer = TestRedis.start();
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopRedis() throws Exception {
    get(vertx.close());
    redisServer.close();
  }

  @BeforeEach
  void newStore() {
    store = get(JobStore.connect(vertx, config()));
  }

  StoreConfig config() {
    return StoreConfig.defaults(redisServer.url()).withNamespace("t" + UUID.randomUUID().toString().substring(0, 8))
        .withRetry(FAST_RETRY);
  }

  static <T> T get(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new RuntimeException(e.getCause());
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  Response redis(Request r) {
    return get(store.redis().send(r));
  }

  long countKeys() {
    return redis(Request.cmd(Command.KEYS).arg(store.keys().prefix().replace("{", "\\{").replace("}", "\\}") + "*"))
        .size();
  }
}
