package io.emp.jobqueue.machine;

import java.io.IOException;
import java.net.http.HttpResponse.BodySubscriber;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Fails a JDK HTTP exchange that receives nothing for {@code idleTimeoutMs}: before the response head
 * it cancels the exchange, during the body it cancels the subscription and closes the file. The
 * JDK client has a connect and a whole-request timeout but none for a body that stops flowing.
 * {@link #check} is called periodically by the owner (a Vert.x timer); the rest runs on JDK threads.
 */
final class IdleWatchdog {
  private final long idleTimeoutMs;
  private volatile long last = System.nanoTime();
  private volatile boolean fired;
  private volatile CompletableFuture<?> call;
  private volatile Guard<?> guard;

  IdleWatchdog(long idleTimeoutMs) {
    this.idleTimeoutMs = idleTimeoutMs;
  }

  void touch() {
    last = System.nanoTime();
  }

  void watch(CompletableFuture<?> exchange) {
    call = exchange;
  }

  /** Whether it cut the exchange off. */
  boolean fired() {
    return fired;
  }

  /** Wraps the body subscriber so each chunk counts as activity and a stall can abort it. */
  <T> BodySubscriber<T> guard(BodySubscriber<T> inner) {
    Guard<T> g = new Guard<>(inner, this);
    guard = g;
    return g;
  }

  void check() {
    if (fired || (System.nanoTime() - last) / 1_000_000 < idleTimeoutMs) {
      return;
    }
    fired = true;
    Guard<?> g = guard;
    IOException stalled = new IOException("no data for " + idleTimeoutMs + " ms");
    if (g != null) {
      g.abort(stalled);
    }
    CompletableFuture<?> c = call;
    if (c != null) {
      c.cancel(true);
    }
  }

  /** A body subscriber that reports activity to its watchdog and can be aborted by it. */
  private static final class Guard<T> implements BodySubscriber<T> {
    private final BodySubscriber<T> inner;
    private final IdleWatchdog watchdog;
    private final CompletableFuture<T> body = new CompletableFuture<>();
    private volatile Flow.Subscription subscription;

    Guard(BodySubscriber<T> inner, IdleWatchdog watchdog) {
      this.inner = inner;
      this.watchdog = watchdog;
      inner.getBody().whenComplete((v, e) -> {
        if (e != null) {
          body.completeExceptionally(e);
        } else {
          body.complete(v);
        }
      });
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      inner.onSubscribe(s);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      watchdog.touch();
      inner.onNext(items);
    }

    @Override
    public void onError(Throwable t) {
      inner.onError(t);
    }

    @Override
    public void onComplete() {
      inner.onComplete();
    }

    @Override
    public CompletionStage<T> getBody() {
      return body;
    }

    void abort(Throwable t) {
      Flow.Subscription s = subscription;
      if (s != null) {
        s.cancel();
      }
      inner.onError(t); // closes the file
      body.completeExceptionally(t);
    }
  }
}
