package io.emp.jobqueue.app;

import io.vertx.core.Future;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Blocking waits on Vert.x futures from the test thread, with a generous bound. */
final class Futures {
  private Futures() {
  }

  static <T> T get(Future<T> f) {
    return get(f, 60);
  }

  static <T> T get(Future<T> f, int seconds) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new RuntimeException(e.getCause());
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }
}
