package io.emp.jobqueue.worker;

import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.worker.spi.Connector;
import io.emp.jobqueue.worker.spi.ResultStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * One worker's parts wired together: claim loop, wake-up subscription and one {@link JobRunner} per
 * attempt. Usable without a verticle (tests); {@link WorkerVerticle} gives it a lifecycle.
 */
public final class Worker {
  private final Vertx vertx;
  private final WorkerConfig cfg;
  private final JobStore store;
  private final Connector connector;
  private final ResultStore results;
  private final WorkerSpans spans;
  private ClaimLoop loop;
  private WakeSubscriber wake;

  public Worker(Vertx vertx, WorkerConfig cfg, JobStore store, Connector connector, ResultStore results,
                Telemetry telemetry) {
    this.vertx = vertx;
    this.cfg = cfg;
    this.store = store;
    this.connector = connector;
    this.results = results;
    this.spans = new WorkerSpans(telemetry, cfg);
  }

  /** Must be called on the context the worker will run on (a verticle's). */
  public Future<Void> start() {
    return MachineInfo.detect(vertx).compose(machine -> {
      loop = new ClaimLoop(vertx, store, cfg, spans, (claimed, claimCtx) ->
          new JobRunner(vertx, store, cfg, connector, results, spans, machine, claimed, claimCtx));
      wake = new WakeSubscriber(vertx, store.config().redisUrl(),
          cfg.capabilities().services().stream().map(store.keys()::wake).toList(), loop::wake);
      // subscribe first, so a job submitted between our first claim and the subscription still wakes us
      return wake.start().recover(err -> Future.succeededFuture());
    }).onSuccess(v -> {
      loop.start();
      spans.metrics().slots(connector.type(), cfg.concurrency());
    });
  }

  /** Stops claiming and drains (see {@link ClaimLoop#drain}). */
  public Future<Void> stop() {
    if (loop == null) {
      return Future.succeededFuture();
    }
    return loop.drain(cfg.drainGraceMs()).eventually(() -> {
      spans.metrics().slots(connector.type(), -cfg.concurrency());
      return wake.stop();
    });
  }

  public ClaimLoop loop() {
    return loop;
  }

  public WorkerConfig config() {
    return cfg;
  }
}
