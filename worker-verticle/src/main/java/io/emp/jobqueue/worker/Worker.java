package io.emp.jobqueue.worker;

import io.emp.jobqueue.core.telemetry.ServiceName;
import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.queue.bus.BusTracing;
import io.emp.jobqueue.queue.monitor.MonitorNotices;
import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.worker.spi.Connector;
import io.emp.jobqueue.worker.spi.ResultStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * One worker's parts wired together: claim loop, wake-up subscription, control-plane consumer and
 * one {@link JobRunner} per attempt. Usable without a verticle (tests); {@link WorkerVerticle}
 * gives it a lifecycle.
 */
public final class Worker {
  private static final System.Logger LOG = System.getLogger(Worker.class.getName());

  private final Vertx vertx;
  private volatile WorkerConfig cfg;
  private final JobStore store;
  private final Connector connector;
  private final ResultStore results;
  private final Telemetry telemetry;
  private final WorkerSpans spans;
  private ClaimLoop loop;
  private WakeSubscriber wake;
  private WorkerControl control;

  public Worker(Vertx vertx, WorkerConfig cfg, JobStore store, Connector connector, ResultStore results,
                Telemetry telemetry) {
    this.vertx = vertx;
    this.cfg = cfg;
    this.store = store;
    this.connector = connector;
    this.results = results;
    this.telemetry = telemetry;
    this.spans = new WorkerSpans(telemetry, cfg);
  }

  /** Must be called on the context the worker will run on (a verticle's). */
  public Future<Void> start() {
    return MachineInfo.detect(vertx).compose(machine -> {
      // each attempt takes the settings current when it starts (a reload changes them)
      loop = new ClaimLoop(vertx, store, cfg, spans, (claimed, claimCtx) ->
          new JobRunner(vertx, store, cfg, connector, results, spans, machine, claimed, claimCtx));
      control = new WorkerControl(vertx, cfg, loop, BusTracing.of(vertx, telemetry.tracer(ServiceName.WORKER)),
          MonitorNotices.of(vertx, store));
      wake = new WakeSubscriber(vertx, store.config(),
          cfg.capabilities().services().stream().map(store.keys()::wake).toList(), jobId -> {
            store.hintWork(jobId);
            loop.wake();
          });
      // subscribe first, so a job submitted between our first claim and the subscription still wakes us
      return wake.start().recover(err -> Future.succeededFuture())
          .compose(v -> control.start())
          .compose(v -> store.operator().pausedServices().onSuccess(control::pausedAtStart).<Void>mapEmpty()
              .recover(err -> Future.succeededFuture()));
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
      return control.stop();
    }).eventually(() -> wake.stop());
  }

  /**
   * Applies reloaded settings. Live: concurrency, scan_limit, idle_poll_ms (at once); lease_ms,
   * renew_interval_ms, default_job_timeout_ms, progress_throttle_ms, drain_grace_ms (attempts started
   * from now). The worker's identity and capabilities (services, hardware, models, customers) are
   * fixed at start: a change there is refused and needs a restart. Call on the worker's context.
   */
  public boolean reconfigure(WorkerConfig next) {
    if (!next.capabilities().equals(cfg.capabilities())) {
      LOG.log(System.Logger.Level.WARNING, "worker " + cfg.workerId()
          + ": capabilities changed in the reloaded config; they apply after a restart");
      return false;
    }
    if (loop != null) {
      spans.metrics().slots(connector.type(), next.concurrency() - cfg.concurrency());
    }
    cfg = next;
    if (loop != null) {
      loop.reconfigure(next);
    }
    return true;
  }

  public ClaimLoop loop() {
    return loop;
  }

  public WorkerConfig config() {
    return cfg;
  }

  public Connector connector() {
    return connector;
  }
}
