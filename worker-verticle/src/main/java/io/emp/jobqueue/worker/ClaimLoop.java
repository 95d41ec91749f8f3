package io.emp.jobqueue.worker;

import io.emp.jobqueue.core.telemetry.RateLimitedLog;
import io.emp.jobqueue.queue.store.ClaimedJob;
import io.emp.jobqueue.queue.store.JobStore;
import io.opentelemetry.context.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Keeps up to N attempts running: claims while a slot is free and the last claim found work, then
 * waits for a wake-up (pub/sub) or the slow poll. Up to {@link #MAX_CLAIMS_IN_FLIGHT} claims run at
 * once (never more than the free slots), so a busy worker is not paced by one round trip per job;
 * each claim is atomic in Redis, so parallel claims never take a job twice. A wake-up that arrives
 * during a claim is remembered, so it is never lost. Runs on the worker's context.
 */
public final class ClaimLoop {
  private static final System.Logger LOG = System.getLogger(ClaimLoop.class.getName());
  /** Every worker's claim loop in the node: one warning per distinct error per interval while Redis is down. */
  private static final RateLimitedLog WARNINGS = new RateLimitedLog(LOG, "claim loop");

  /** Starts an attempt for a claimed job. */
  @FunctionalInterface
  public interface Launcher {
    JobRunner launch(ClaimedJob job, Context claimContext);
  }

  private final Vertx vertx;
  private final JobStore store;
  private WorkerConfig cfg;
  private final WorkerSpans spans;
  private final Launcher launcher;
  private final Map<String, JobRunner> running = new LinkedHashMap<>();
  private final List<Promise<Void>> idleWaiters = new ArrayList<>();
  private final List<Future<Void>> claimsInFlight = new ArrayList<>();
  private long pollTimer = -1;
  /** Claims allowed at once: enough to hide the round trip, few enough not to flood an idle queue. */
  public static final int MAX_CLAIMS_IN_FLIGHT = 4;
  private boolean wokenDuringClaim;
  private boolean draining;
  /** The machine drains: no new claims, running jobs finish (unlike {@link #drain}, nothing is handed back). */
  private boolean holding;
  private final Set<String> paused = new TreeSet<>();
  /** Cancels that arrived before their job's attempt started here (the claim reply was still in flight). */
  private final Set<String> earlyCancels = new LinkedHashSet<>();
  private static final int MAX_EARLY_CANCELS = 256;
  private long claims;
  private long wakeUps;

  public ClaimLoop(Vertx vertx, JobStore store, WorkerConfig cfg, WorkerSpans spans, Launcher launcher) {
    this.vertx = vertx;
    this.store = store;
    this.cfg = cfg;
    this.spans = spans;
    this.launcher = launcher;
  }

  public void start() {
    pollTimer = vertx.setPeriodic(cfg.idlePollMs(), t -> kick());
    kick();
  }

  /** New work may exist (pub/sub wake-up). */
  public void wake() {
    wakeUps++;
    if (!claimsInFlight.isEmpty()) {
      wokenDuringClaim = true;
    }
    kick();
  }

  public int runningCount() {
    return running.size();
  }

  /** Ids of the jobs this worker runs now (call on the worker's context). */
  public java.util.List<String> runningJobIds() {
    return java.util.List.copyOf(running.keySet());
  }

  /** Claim calls made so far (including empty ones). */
  public long claims() {
    return claims;
  }

  public long wakeUps() {
    return wakeUps;
  }

  /**
   * Claims while slots are free (minus claims already under way) and nothing stops it. At most as
   * many claims as there were free slots on entry: a claim that fails at once (a closed client)
   * leaves its slot free again, and an unbounded loop would then spin on the event loop.
   */
  public void kick() {
    int free = Math.min(MAX_CLAIMS_IN_FLIGHT - claimsInFlight.size(),
        cfg.concurrency() - running.size() - claimsInFlight.size());
    for (int i = 0; i < free && !draining && !holding && !allPaused(); i++) {
      claimOnce();
    }
  }

  /** Every service of this worker is paused: a claim could only come back empty. */
  private boolean allPaused() {
    return !paused.isEmpty() && paused.containsAll(cfg.capabilities().services());
  }

  /**
   * Stops claiming from {@code service} (an admin pause). The claim script skips paused services
   * anyway; knowing it here spares the worker empty claims. Answers whether it changed anything.
   */
  public boolean pause(String service) {
    return cfg.capabilities().services().contains(service) && paused.add(service);
  }

  /** Claims from {@code service} again, at once. */
  public boolean resume(String service) {
    boolean changed = paused.remove(service);
    if (changed) {
      kick();
    }
    return changed;
  }

  public Set<String> pausedServices() {
    return Collections.unmodifiableSet(paused);
  }

  /** Stops claiming for good (the machine drains); running attempts finish normally. */
  public void hold() {
    holding = true;
  }

  public boolean holding() {
    return holding;
  }

  /**
   * Asks the attempt of {@code jobId} running here to stop now (a cancel signal). Answers whether
   * one was running; otherwise the job is remembered for a moment, in case its claim is about to land.
   */
  public boolean cancel(String jobId) {
    JobRunner runner = running.get(jobId);
    if (runner != null) {
      runner.requestCancel();
      return true;
    }
    if (claimsInFlight.isEmpty()) {
      return false;
    }
    earlyCancels.add(jobId);
    if (earlyCancels.size() > MAX_EARLY_CANCELS) {
      earlyCancels.remove(earlyCancels.iterator().next());
    }
    return false;
  }

  /** New settings (a reload): concurrency, scan limit, poll interval; attempts started from now use the rest. */
  public void reconfigure(WorkerConfig next) {
    boolean newPoll = next.idlePollMs() != cfg.idlePollMs();
    cfg = next;
    if (newPoll && pollTimer >= 0 && !draining) {
      vertx.cancelTimer(pollTimer);
      pollTimer = vertx.setPeriodic(cfg.idlePollMs(), t -> kick());
    }
    kick();
  }

  private void claimOnce() {
    wokenDuringClaim = false;
    claims++;
    Instant startedAt = Instant.now();
    long startNanos = System.nanoTime();
    Promise<Void> done = Promise.promise();
    claimsInFlight.add(done.future());
    store.claim(cfg.capabilities(), cfg.scanLimit(), cfg.leaseMs()).onComplete(ar -> {
      Future<?> handBack = Future.succeededFuture();
      boolean found = false;
      if (ar.failed()) {
        WARNINGS.warn("claim failed; the poll retries", ar.cause());
      } else {
        WARNINGS.recovered("claims succeed again");
        if (ar.result().job().isPresent()) {
          found = true;
          ClaimedJob claimed = ar.result().job().get();
          if (draining) {
            // claimed just as the drain began: give it straight back, no attempt counted
            handBack = store.release(claimed.job().id(), claimed.token(), null);
          } else {
            spans.metrics().claimed(claimed);
            launch(claimed, spans.claimSpan(claimed, startedAt, startNanos));
          }
        }
      }
      boolean again = found || wokenDuringClaim;
      handBack.onComplete(x -> {
        claimsInFlight.remove(done.future());
        done.complete();
        if (again) {
          kick();
        }
      });
    });
  }

  private void launch(ClaimedJob claimed, Context claimCtx) {
    JobRunner runner;
    try {
      runner = launcher.launch(claimed, claimCtx);
    } catch (RuntimeException e) {
      io.emp.jobqueue.core.logging.LogFormat.log(LOG, System.Logger.Level.ERROR, claimCtx, "cannot start job "
          + claimed.job().id() + "; its lease will run out", e);
      return;
    }
    running.put(claimed.job().id(), runner);
    Future<AttemptEnd> ended = runner.run();
    if (earlyCancels.remove(claimed.job().id())) {
      runner.requestCancel();
    }
    ended.onComplete(ar -> {
      running.remove(claimed.job().id());
      if (running.isEmpty()) {
        idleWaiters.forEach(Promise::tryComplete);
        idleWaiters.clear();
      }
      kick();
    });
  }

  /**
   * Stops claiming, lets running attempts finish for up to {@code graceMs}, then hands the rest back
   * to the queue (connector cancelled, job released without counting an attempt).
   */
  public Future<Void> drain(long graceMs) {
    draining = true;
    vertx.cancelTimer(pollTimer);
    running.values().forEach(JobRunner::markStopping);
    return Future.join(List.copyOf(claimsInFlight)).transform(ignored -> awaitRunning(graceMs));
  }

  private Future<Void> awaitRunning(long graceMs) {
    if (running.isEmpty()) {
      return Future.succeededFuture();
    }
    Promise<Void> idle = Promise.promise();
    idleWaiters.add(idle);
    long timer = vertx.setTimer(Math.max(1, graceMs), t -> List.copyOf(running.values()).forEach(JobRunner::drain));
    return idle.future().onComplete(ar -> vertx.cancelTimer(timer));
  }
}
