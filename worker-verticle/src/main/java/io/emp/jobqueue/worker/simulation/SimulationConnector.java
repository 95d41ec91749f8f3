package io.emp.jobqueue.worker.simulation;

import io.emp.jobqueue.core.model.Failure;
import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.worker.spi.Connector;
import io.emp.jobqueue.worker.spi.ConnectorException;
import io.emp.jobqueue.worker.spi.JobCancelledException;
import io.emp.jobqueue.worker.spi.JobContext;
import io.emp.jobqueue.worker.spi.ProgressSink;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A backend that only waits: {@code steps} timers of {@code stepMs}, one progress report per step,
 * and a seeded chance of failure. Deterministic per (config seed, job id, attempt), so a test or a
 * benchmark replays exactly. The payload may override: {@code steps}, {@code step_ms}, {@code fail}
 * (retryable | permanent | timeout: always fail that way; timeout means never answer) and
 * {@code output} (true: store a small text output through the result store).
 */
public final class SimulationConnector implements Connector {
  public static final String TYPE = "simulation";

  private volatile SimulationConfig cfg;
  private final Map<String, Run> runs = new ConcurrentHashMap<>();
  private Vertx vertx;

  public SimulationConnector(SimulationConfig cfg) {
    this.cfg = cfg;
  }

  private static final class Run {
    final Promise<JsonObject> promise = Promise.promise();
    long timer = -1;
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Future<Void> start(Vertx v) {
    this.vertx = v;
    return Future.succeededFuture();
  }

  /** Every setting applies live: jobs started from now use the new ones. */
  @Override
  public boolean reconfigure(io.emp.jobqueue.core.config.ConfigSection settings) {
    cfg = SimulationConfig.from(settings);
    return true;
  }

  public SimulationConfig config() {
    return cfg;
  }

  @Override
  public ExternalService externalService() {
    return new ExternalService(TYPE, "simulation://local", "1");
  }

  @Override
  public Long estimatedDurationMs(Job job) {
    return (long) steps(job) * stepMs(job);
  }

  private int steps(Job job) {
    return job.payload().getInteger("steps", cfg.steps());
  }

  private long stepMs(Job job) {
    return job.payload().getLong("step_ms", cfg.stepMs());
  }

  /** The failure this attempt will end with, or null: the payload's, else a seeded draw. */
  SimulationConfig.FailureKind plannedFailure(Job job, int attempt) {
    String forced = job.payload().getString("fail");
    if (forced != null) {
      return SimulationConfig.FailureKind.fromWire(forced);
    }
    SplittableRandom rnd = new SplittableRandom(cfg.seed() * 31 + job.id().hashCode() * 17L + attempt);
    return rnd.nextDouble() < cfg.failureProbability() ? cfg.failureKind() : null;
  }

  @Override
  public Future<JsonObject> process(JobContext ctx, ProgressSink progress) {
    Job job = ctx.job();
    int steps = steps(job);
    long stepMs = stepMs(job);
    if (steps < 0 || stepMs < 0) {
      return Future.failedFuture(new ConnectorException(Failure.permanent("validation_error",
          "steps and step_ms must be >= 0")));
    }
    SimulationConfig.FailureKind failure = plannedFailure(job, ctx.attempt());
    Run run = new Run();
    runs.put(job.id(), run);
    step(ctx, progress, run, 0, steps, stepMs, failure);
    return run.promise.future().onComplete(ar -> runs.remove(job.id(), run));
  }

  private void step(JobContext ctx, ProgressSink progress, Run run, int done, int steps, long stepMs,
                    SimulationConfig.FailureKind failure) {
    if (run.promise.future().isComplete()) {
      return;
    }
    if (done >= steps) {
      finish(ctx, run, steps, failure);
      return;
    }
    run.timer = vertx.setTimer(Math.max(1, stepMs), t -> {
      progress.report((done + 1) * 100 / steps, "step " + (done + 1) + "/" + steps);
      step(ctx, progress, run, done + 1, steps, stepMs, failure);
    });
  }

  private void finish(JobContext ctx, Run run, int steps, SimulationConfig.FailureKind failure) {
    if (failure == SimulationConfig.FailureKind.TIMEOUT) {
      return; // a hung backend: only cancel ends it
    }
    if (failure == SimulationConfig.FailureKind.RETRYABLE) {
      run.promise.tryFail(new ConnectorException(Failure.retryable("service_error", "simulated failure")));
      return;
    }
    if (failure == SimulationConfig.FailureKind.PERMANENT) {
      run.promise.tryFail(new ConnectorException(Failure.permanent("validation_error", "simulated failure")));
      return;
    }
    JsonObject result = new JsonObject().put("simulated", true).put("steps", steps).put("attempt", ctx.attempt());
    if (!ctx.job().payload().getBoolean("output", false)) {
      run.promise.tryComplete(result);
      return;
    }
    ctx.results().store(ctx.jobId(), "output.txt", Buffer.buffer("simulated output of " + ctx.jobId()),
        "text/plain").onComplete(ar -> {
          if (ar.succeeded()) {
            run.promise.tryComplete(result.put("outputs", new JsonArray().add(ar.result().uri())));
          } else {
            run.promise.tryFail(ar.cause());
          }
        });
  }

  @Override
  public Future<Void> cancel(String jobId) {
    Run run = runs.remove(jobId);
    if (run != null) {
      vertx.cancelTimer(run.timer);
      run.promise.tryFail(new JobCancelledException("simulation of job " + jobId + " cancelled"));
    }
    return Future.succeededFuture();
  }

  /** Jobs being simulated now. */
  public int active() {
    return runs.size();
  }
}
