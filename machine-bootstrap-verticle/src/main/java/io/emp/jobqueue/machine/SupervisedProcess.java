package io.emp.jobqueue.machine;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.file.FileProps;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * One supervised external process (the PM2 role): started with its output appended to a log file,
 * watched for exit, restarted with exponential backoff up to {@code max_restarts}, and stopped with
 * SIGTERM then SIGKILL after the grace period. Spawning and waiting run on worker threads;
 * state changes run on the Vert.x context that created it.
 */
public final class SupervisedProcess {
  public static final long MAX_BACKOFF_MS = 60_000;
  public static final long HEALTH_REQUEST_TIMEOUT_MS = 2_000;

  /** Lifecycle states. */
  public enum State { STARTING, HEALTHY, RESTARTING, FAILED, STOPPED }

  /** What the first health wait measured. */
  public record Readiness(long readyMs, Long firstLogMs, int statusCode, long responseTimeMs, long healthWaitMs) {
  }

  private final Vertx vertx;
  private final io.vertx.core.Context context;
  private final HttpClient http;
  private final ServiceInstance instance;
  private final Path logFile;
  private final Runnable onChange;
  private volatile Process process;
  private volatile State state = State.STARTING;
  private volatile int restarts;
  private volatile boolean stopping;
  private long timerId = -1;

  SupervisedProcess(Vertx vertx, HttpClient http, ServiceInstance instance, Path logDir, Runnable onChange) {
    this.vertx = vertx;
    // Exit notifications arrive on a JDK thread; they are handled on the creator's context.
    this.context = vertx.getOrCreateContext();
    this.http = http;
    this.instance = instance;
    this.logFile = logDir.resolve(instance.name() + ".log");
    this.onChange = onChange;
  }

  public ServiceInstance instance() {
    return instance;
  }

  public State state() {
    return state;
  }

  public int restarts() {
    return restarts;
  }

  public Path logFile() {
    return logFile;
  }

  /** The live process's pid, or -1. */
  public long pid() {
    Process p = process;
    return p != null && p.isAlive() ? p.pid() : -1;
  }

  /** Spawns the process and waits until its health endpoint answers 2xx (or the spec's timeout passes). */
  public Future<Readiness> start() {
    long t0 = System.nanoTime();
    return size().compose(logStart -> spawn().compose(v -> awaitHealthy(t0, logStart)));
  }

  private Future<Long> size() {
    return vertx.fileSystem().exists(logFile.toString()).compose(e -> e
        ? vertx.fileSystem().props(logFile.toString()).map(FileProps::size) : Future.succeededFuture(0L));
  }

  private Future<Void> spawn() {
    return vertx.executeBlocking(() -> {
      Files.createDirectories(logFile.getParent());
      Files.createDirectories(instance.workdir());
      ProcessBuilder pb = new ProcessBuilder(instance.argv()).directory(instance.workdir().toFile())
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
      pb.environment().putAll(instance.env());
      Process p = pb.start();
      p.getOutputStream().close();
      return p;
    }, false).map(p -> {
      process = p;
      p.onExit().thenAccept(exited -> context.runOnContext(v -> exited(exited)));
      return null;
    });
  }

  private void exited(Process p) {
    if (stopping || p != process) {
      return;
    }
    if (restarts >= instance.spec().maxRestarts()) {
      setState(State.FAILED);
      return;
    }
    restarts++;
    setState(State.RESTARTING);
    long backoff = Math.min(MAX_BACKOFF_MS, instance.spec().restartBackoffMs() << Math.min(restarts - 1, 16));
    timerId = vertx.setTimer(Math.max(1, backoff), id -> {
      timerId = -1;
      if (stopping) {
        return;
      }
      long t0 = System.nanoTime();
      // A restarted process that never turns healthy stays STARTING (visible in /status); one that
      // exits again comes back here and counts against the restart limit.
      size().compose(logStart -> spawn().compose(v -> awaitHealthy(t0, logStart)));
    });
  }

  private Future<Readiness> awaitHealthy(long t0, long logStart) {
    setState(State.STARTING);
    Promise<Readiness> ready = Promise.promise();
    long deadline = t0 + TimeUnit.MILLISECONDS.toNanos(instance.spec().healthTimeoutMs());
    Long[] firstLog = {null};
    poll(t0, deadline, logStart, firstLog, ready);
    return ready.future();
  }

  private void poll(long t0, long deadline, long logStart, Long[] firstLog, Promise<Readiness> ready) {
    if (stopping) {
      ready.tryFail(new IllegalStateException(instance.name() + " was stopped while starting"));
      return;
    }
    if (state == State.FAILED) {
      ready.tryFail(new ServiceStartException(instance.name(), "exited " + restarts
          + " time(s) and reached its restart limit; see " + logFile));
      return;
    }
    long healthStart = System.nanoTime();
    Future<Integer> check = size().map(sz -> {
      if (firstLog[0] == null && sz > logStart) {
        firstLog[0] = ms(t0);
      }
      return sz;
    }).compose(sz -> probe());
    check.onComplete(ar -> {
      Process p = process;
      boolean alive = p != null && p.isAlive();
      if (ar.succeeded() && ar.result() / 100 == 2 && alive) {
        setState(State.HEALTHY);
        ready.tryComplete(new Readiness(ms(t0), firstLog[0], ar.result(), ms(healthStart), ms(t0)));
      } else if (System.nanoTime() > deadline) {
        ready.tryFail(new ServiceStartException(instance.name(), "not healthy within "
            + instance.spec().healthTimeoutMs() + " ms (" + (instance.healthUrl() == null ? "process not alive"
            : instance.healthUrl()) + "); see " + logFile));
      } else {
        vertx.setTimer(instance.spec().healthIntervalMs(), id -> poll(t0, deadline, logStart, firstLog, ready));
      }
    });
  }

  /** HTTP status of the health endpoint; 200 when the service has none and its process is up. */
  private Future<Integer> probe() {
    if (instance.healthUrl() == null) {
      Process p = process;
      return Future.succeededFuture(p != null && p.isAlive() ? 200 : 0);
    }
    RequestOptions o = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(instance.healthUrl())
        .setConnectTimeout(HEALTH_REQUEST_TIMEOUT_MS).setIdleTimeout(HEALTH_REQUEST_TIMEOUT_MS);
    return http.request(o).compose(req -> req.send()).compose(resp -> resp.body().map(b -> resp.statusCode()));
  }

  /** SIGTERM, then SIGKILL after the grace period; completes once the process is gone. */
  public Future<Void> stop() {
    stopping = true;
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
    Process p = process;
    if (p == null) {
      setState(State.STOPPED);
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> {
      p.destroy();
      if (!p.waitFor(instance.spec().stopGraceMs(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
      }
      return null;
    }, false).<Void>mapEmpty().onComplete(ar -> setState(State.STOPPED));
  }

  private void setState(State s) {
    if (state != s) {
      state = s;
      onChange.run();
    }
  }

  public JsonObject toJson() {
    return instance.toJson().put("state", state.name().toLowerCase(java.util.Locale.ROOT)).put("restarts", restarts)
        .put("pid", pid());
  }

  private static long ms(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }
}
