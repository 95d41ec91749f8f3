package io.emp.jobqueue.bench;

import io.emp.jobqueue.testing.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * What the store benchmarks start from: the Redis of {@code REDIS_URL}, or a redis-server of their own
 * on a free port, and a Vert.x with native transport; {@link #close()} stops both.
 */
final class BenchRedis implements AutoCloseable {
  final String url;
  final Vertx vertx;
  private final TestRedis own;

  private BenchRedis(String url, TestRedis own) {
    this.url = url;
    this.own = own;
    this.vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
  }

  static BenchRedis start() {
    String url = System.getenv("REDIS_URL");
    TestRedis own = url == null ? TestRedis.start() : null;
    return new BenchRedis(own != null ? own.url() : url, own);
  }

  @Override
  public void close() {
    vertx.close().await();
    if (own != null) {
      own.close();
    }
  }
}
