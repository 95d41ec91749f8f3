package io.emp.jobqueue.queue.store;

import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.core.model.JobQueueException.Code;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.function.Supplier;

/**
 * The first connection to Redis, retried with backoff for {@link StoreConfig#connectTimeoutMs()}: under
 * an orchestrator Redis may start after the node, and failing at once would crash-loop the node.
 * One log line per failed attempt, no stack trace. Errors that waiting cannot fix (a script error, a
 * wrong password) fail at once.
 */
public final class ConnectRetry {
  public static final long FIRST_DELAY_MS = 200;
  public static final long MAX_DELAY_MS = 5_000;
  private static final System.Logger LOG = System.getLogger(ConnectRetry.class.getName());

  private ConnectRetry() {
  }

  /** Runs {@code attempt} until it succeeds, fails for good, or {@code cfg.connectTimeoutMs()} has passed. */
  public static <T> Future<T> retry(Vertx vertx, StoreConfig cfg, String component, Supplier<Future<T>> attempt) {
    Promise<T> done = Promise.promise();
    long deadline = System.currentTimeMillis() + cfg.connectTimeoutMs();
    run(vertx, cfg, component, attempt, 1, FIRST_DELAY_MS, deadline, done);
    return done.future();
  }

  private static <T> void run(Vertx vertx, StoreConfig cfg, String component, Supplier<Future<T>> attempt, int n,
                              long delay, long deadline, Promise<T> done) {
    Future<T> f;
    try {
      f = attempt.get();
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    f.onSuccess(v -> {
      if (n > 1) {
        LOG.log(System.Logger.Level.INFO, component + ": Redis at " + url(cfg) + " reachable after " + n
            + " attempts");
      }
      done.complete(v);
    }).onFailure(err -> {
      long left = deadline - System.currentTimeMillis();
      if (!waitingHelps(err) || left <= 0) {
        done.fail(n == 1 || !waitingHelps(err) ? err : new JobQueueException(Code.UNAVAILABLE, "Redis at "
            + url(cfg) + " still not reachable after " + n + " attempts over " + cfg.connectTimeoutMs()
            + " ms (queue.store.connect_timeout_ms): " + err.getMessage()));
        return;
      }
      long wait = Math.min(delay, left);
      LOG.log(System.Logger.Level.WARNING, component + ": Redis at " + url(cfg) + " not reachable (attempt " + n
          + ": " + err.getMessage() + "); retrying in " + wait + " ms, for " + left / 1000 + " s more");
      vertx.setTimer(Math.max(1, wait), t -> run(vertx, cfg, component, attempt, n + 1,
          Math.min(MAX_DELAY_MS, delay * 2), deadline, done));
    });
  }

  /** Only an unreachable server is worth waiting for; NOAUTH, WRONGPASS and script errors are not. */
  static boolean waitingHelps(Throwable err) {
    if (!(err instanceof JobQueueException e) || e.code() != Code.UNAVAILABLE) {
      return false;
    }
    String m = String.valueOf(err.getMessage());
    return !(m.contains("NOAUTH") || m.contains("WRONGPASS") || m.contains("NOPERM"));
  }

  private static String url(StoreConfig cfg) {
    return cfg.endpoint().redacted();
  }
}
