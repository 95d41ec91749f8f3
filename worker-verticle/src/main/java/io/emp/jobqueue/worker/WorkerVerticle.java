package io.emp.jobqueue.worker;

import io.emp.jobqueue.core.config.ConfigSection;
import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.emp.jobqueue.worker.spi.Connector;
import io.emp.jobqueue.worker.spi.ResultStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;

/**
 * Lifecycle shell of one worker: connects the store (unless given one), starts the connector and the
 * {@link Worker}; on undeploy drains (stop claiming, let jobs finish within the grace period, hand the
 * rest back) before stopping the connector.
 */
public final class WorkerVerticle extends VerticleBase {
  private final WorkerConfig cfg;
  private final Connector connector;
  private final ResultStore results;
  private final Telemetry telemetry;
  private final StoreConfig storeConfig;
  private JobStore store;
  private boolean ownsStore;
  private Worker worker;

  /** With a shared store (closed by its owner). */
  public WorkerVerticle(WorkerConfig cfg, Connector connector, ResultStore results, Telemetry telemetry,
                        JobStore store) {
    this.cfg = cfg;
    this.connector = connector;
    this.results = results;
    this.telemetry = telemetry;
    this.store = store;
    this.storeConfig = store.config();
  }

  /** With its own store connection, opened on start and closed on stop. */
  public WorkerVerticle(WorkerConfig cfg, Connector connector, ResultStore results, Telemetry telemetry,
                        StoreConfig storeConfig) {
    this.cfg = cfg;
    this.connector = connector;
    this.results = results;
    this.telemetry = telemetry;
    this.storeConfig = storeConfig;
  }

  @Override
  public Future<?> start() {
    Future<JobStore> connected = store != null ? Future.succeededFuture(store)
        : JobStore.connect(vertx, storeConfig).onSuccess(s -> ownsStore = true);
    return connected
        .compose(s -> {
          store = s;
          return connector.start(vertx);
        })
        .compose(v -> {
          worker = new Worker(vertx, cfg, store, connector, results, telemetry);
          return worker.start();
        })
        .recover(err -> {
          // a failed start gets no stop(): release what was opened here
          if (ownsStore && store != null) {
            store.close();
          }
          return Future.failedFuture(err);
        });
  }

  @Override
  public Future<?> stop() {
    Future<Void> drained = worker == null ? Future.succeededFuture() : worker.stop();
    return drained
        .eventually(connector::stop)
        .eventually(() -> ownsStore ? store.close() : Future.succeededFuture());
  }

  /** What a reload changed on this worker. */
  public record Reconfigured(String workerId, boolean worker, boolean connector) {
  }

  /**
   * Applies reloaded settings on the worker's own context: the worker's live settings (see
   * {@link Worker#reconfigure}) and the connector's ({@link Connector#reconfigure}).
   */
  public Future<Reconfigured> reconfigure(WorkerConfig next, ConfigSection connectorSettings) {
    if (worker == null || context == null) {
      return Future.failedFuture(new IllegalStateException("worker " + cfg.workerId() + " is not running"));
    }
    Promise<Reconfigured> done = Promise.promise();
    context.runOnContext(v -> {
      try {
        done.complete(new Reconfigured(cfg.workerId(), worker.reconfigure(next), connector.reconfigure(connectorSettings)));
      } catch (RuntimeException e) {
        done.fail(e);
      }
    });
    return done.future();
  }

  /** The running worker (null before start). */
  public Worker worker() {
    return worker;
  }
}
