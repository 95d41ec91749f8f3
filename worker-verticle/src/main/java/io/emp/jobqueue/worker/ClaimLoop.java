package io.emp.jobqueue.worker;

import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.core.telemetry.RateLimitedLog;
import io.emp.jobqueue.queue.store.ClaimBatch;
import io.emp.jobqueue.queue.store.ClaimRequest;
import io.emp.jobqueue.queue.store.ClaimedJob;
import io.emp.jobqueue.queue.store.CompletedAndClaimed;
import io.emp.jobqueue.queue.store.JobStore;
import io.opentelemetry.context.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Keeps up to N attempts running: claims while a slot is free and the last claim filled what it asked
 * for, then waits for a wake-up (pub/sub) or the slow poll. One claim call takes up to
 * {@link #CLAIM_BATCH_MAX} jobs (the free slots), and up to {@link #MAX_CLAIMS_IN_FLIGHT} such calls
 * run at once, so a busy worker is not paced by one round trip per job; each claim is atomic in
 * Redis, so parallel claims never take a job twice. A successful attempt's completion claims the next
 * jobs for its slot (and any other free ones) in the same script call ({@link #complete}): a busy
 * worker then spends one round trip per job, not two. A wake-up that arrives during a claim is
 * remembered, so it is never lost. Runs on the worker's context.
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
  /** Claim calls under way: plain claims and completions that claim ({@link #complete}). */
  private final List<Future<Void>> claimsInFlight = new ArrayList<>();
  /** Plain claim calls under way (the ones {@link #MAX_CLAIMS_IN_FLIGHT} bounds). */
  private int plainClaimsInFlight;
  /** Slots promised to claims under way, beyond the slot a claiming completion already holds. */
  private int reserved;
  /** What a completion's claim brought back, by the completed job's id, until its attempt has ended. */
  private final Map<String, Handoff> handoffs = new HashMap<>();
  private long pollTimer = -1;
  /** Plain claim calls allowed at once: enough to hide the round trip, few enough not to flood an idle queue. */
  public static final int MAX_CLAIMS_IN_FLIGHT = 4;
  /**
   * Most jobs one claim call asks for: the script holds Redis while it picks them, so a large worker
   * fills its slots over a few calls (in flight together) rather than one long one.
   */
  public static final int CLAIM_BATCH_MAX = 16;
  private boolean wokenDuringClaim;
  private boolean draining;
  /** The machine drains: no new claims, running jobs finish (unlike {@link #drain}, nothing is handed back). */
  private boolean holding;
  private final Set<String> paused = new TreeSet<>();
  /** Cancels that arrived before their job's attempt started here (the claim reply was still in flight). */
  private final Set<String> earlyCancels = new LinkedHashSet<>();
  private static final int MAX_EARLY_CANCELS = 256;
  private long claims;
  private long completionClaims;
  private long wakeUps;

  /**
   * A completion's claim, until the completed attempt has ended: the slots it reserved, what it
   * brought back (null: the call failed or the token had lost the job, so nothing was claimed).
   */
  private record Handoff(int slots, ClaimBatch next, Instant startedAt, long startNanos, Promise<Void> done) {
  }

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

  /** Claim calls made so far (including empty ones and completions that claimed). */
  public long claims() {
    return claims;
  }

  /** Completions that also claimed the worker's next jobs in the same call. */
  public long completionClaims() {
    return completionClaims;
  }

  public long wakeUps() {
    return wakeUps;
  }

  /**
   * Claims while slots are free (minus slots claims under way will fill) and nothing stops it, in
   * batches of up to {@link #CLAIM_BATCH_MAX} jobs. At most as many jobs as there were free slots on
   * entry: a claim that fails at once (a closed client) leaves its slots free again, and an unbounded
   * loop would then spin on the event loop.
   */
  public void kick() {
    int calls = MAX_CLAIMS_IN_FLIGHT - plainClaimsInFlight;
    int free = freeSlots();
    for (int i = 0; i < calls && free > 0 && mayClaim(); i++) {
      int n = Math.min(free, CLAIM_BATCH_MAX);
      free -= n;
      claimOnce(n);
    }
  }

  private int freeSlots() {
    return cfg.concurrency() - running.size() - reserved;
  }

  private boolean mayClaim() {
    return !draining && !holding && !allPaused();
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

  private void claimOnce(int n) {
    wokenDuringClaim = false;
    claims++;
    Instant startedAt = Instant.now();
    long startNanos = System.nanoTime();
    Promise<Void> done = Promise.promise();
    claimsInFlight.add(done.future());
    plainClaimsInFlight++;
    reserved += n;
    Future<ClaimBatch> call;
    try {
      call = store.claim(new ClaimRequest(cfg.capabilities(), cfg.scanLimit(), cfg.leaseMs(), n));
    } catch (RuntimeException e) {
      call = Future.failedFuture(e);
    }
    call.onComplete(ar -> {
      if (ar.failed()) {
        WARNINGS.warn("claim failed; the poll retries", ar.cause());
      } else {
        WARNINGS.recovered("claims succeed again");
      }
      plainClaimsInFlight--;
      ClaimBatch batch = ar.succeeded() ? ar.result() : null;
      reserved -= n - (batch == null ? 0 : batch.jobs().size());
      Future<?> handBack = take(batch, startedAt, startNanos);
      boolean again = batch != null && batch.jobs().size() == n || wokenDuringClaim;
      handBack.onComplete(x -> {
        claimsInFlight.remove(done.future());
        done.complete();
        if (again) {
          kick();
        }
      });
    });
  }

  /**
   * Starts an attempt for every job a claim brought back (each with its own redis.job.claim span over
   * the call), or, when the drain began meanwhile, hands them straight back without counting an attempt.
   * Each job's slot is still reserved when it gets here and passes from the reservation to the running
   * attempt one job at a time: an attempt that ends at once (and claims again) must not see the slots
   * of the jobs not yet started as free.
   */
  private Future<?> take(ClaimBatch batch, Instant startedAt, long startNanos) {
    if (batch == null || batch.jobs().isEmpty()) {
      return Future.succeededFuture();
    }
    List<Future<?>> handBack = new ArrayList<>();
    for (ClaimedJob claimed : batch.jobs()) {
      reserved--;
      if (draining) {
        handBack.add(store.release(claimed.job().id(), claimed.token(), null));
      } else {
        spans.metrics().claimed(claimed);
        launch(claimed, spans.claimSpan(claimed, startedAt, startNanos));
      }
    }
    return Future.join(handBack);
  }

  /**
   * Writes a successful attempt's result and, in the same script call, claims the next jobs for the
   * slot it frees and any other free slot, unless the worker may not claim now (then a plain complete).
   * What the claim brought back is started once the completed attempt has ended ({@link #launch}).
   */
  Future<Long> complete(ClaimedJob claimed, JsonObject result, TraceContext trace) {
    String id = claimed.job().id();
    // the slots free once this job has left (none when a reload lowered the concurrency below the running count)
    int n = Math.min(CLAIM_BATCH_MAX, freeSlots() + 1);
    if (n < 1 || !mayClaim() || !running.containsKey(id)) {
      return store.complete(id, claimed.token(), result, trace);
    }
    wokenDuringClaim = false;
    claims++;
    completionClaims++;
    Instant startedAt = Instant.now();
    long startNanos = System.nanoTime();
    Promise<Void> done = Promise.promise();
    claimsInFlight.add(done.future());
    // the completed job's own slot is the first of the n: it is still counted as running
    reserved += n - 1;
    Future<CompletedAndClaimed> call;
    try {
      call = store.completeAndClaim(id, claimed.token(), result, trace,
          new ClaimRequest(cfg.capabilities(), cfg.scanLimit(), cfg.leaseMs(), n));
    } catch (RuntimeException e) {
      // the handoff below must be recorded whatever happens: drain waits for it
      call = Future.failedFuture(e);
    }
    return call
        .andThen(ar -> handoffs.put(id, new Handoff(n, ar.succeeded() ? ar.result().next() : null, startedAt,
            startNanos, done)))
        .map(CompletedAndClaimed::completedAt);
  }

  /**
   * Settles a completion's claim after its attempt ended: frees what it reserved, starts what it
   * claimed; answers whether to claim again (as after a plain claim: it filled every slot it asked
   * for, or a wake-up came meanwhile; a failed call leaves it to a plain claim, as before).
   */
  private boolean settle(Handoff h) {
    // the completed job's slot joins the reservation; the slots the claim did not fill are free again
    reserved += 1 - (h.slots() - (h.next() == null ? 0 : h.next().jobs().size()));
    take(h.next(), h.startedAt(), h.startNanos()).onComplete(x -> {
      claimsInFlight.remove(h.done().future());
      h.done().complete();
    });
    return h.next() == null || h.next().jobs().size() == h.slots() || wokenDuringClaim;
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
    runner.completeWith(this::complete);
    Future<AttemptEnd> ended = runner.run();
    if (earlyCancels.remove(claimed.job().id())) {
      runner.requestCancel();
    }
    ended.onComplete(ar -> {
      running.remove(claimed.job().id());
      Handoff h = handoffs.remove(claimed.job().id());
      boolean again = h == null || settle(h);
      if (running.isEmpty()) {
        idleWaiters.forEach(Promise::tryComplete);
        idleWaiters.clear();
      }
      if (again) {
        kick();
      }
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
