package io.emp.jobqueue.machine;

import io.emp.jobqueue.core.model.WorkerCapabilities;
import io.emp.jobqueue.queue.control.Controls;
import io.emp.jobqueue.queue.store.ClaimedJob;
import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Stand-in for the real WorkerVerticle: claims jobs of its slot's type with JobStore, holds each for
 * {@code workMs}, completes it with a result naming the worker, slot GPU and service port. stop()
 * finishes the job in hand first (the drain the machine relies on).
 */
final class TestWorkerVerticle extends VerticleBase {
  static final long IDLE_POLL_MS = 50;
  static final long LEASE_MS = 30_000;
  private final WorkerSlot slot;
  private final MachineInfo machine;
  private final StoreConfig storeConfig;
  private final long workMs;
  private JobStore store;
  private volatile boolean stopping;
  private Future<Void> inFlight = Future.succeededFuture();
  private final Future<Void> gate;
  private volatile String current;

  TestWorkerVerticle(WorkerSlot slot, MachineInfo machine, StoreConfig storeConfig, long workMs) {
    this(slot, machine, storeConfig, workMs, Future.succeededFuture());
  }

  /** @param gate a job in hand completes only once this completes too */
  TestWorkerVerticle(WorkerSlot slot, MachineInfo machine, StoreConfig storeConfig, long workMs, Future<Void> gate) {
    this.slot = slot;
    this.machine = machine;
    this.storeConfig = storeConfig;
    this.workMs = workMs;
    this.gate = gate;
  }

  @Override
  public Future<?> start() {
    // what the real worker answers its machine at each heartbeat (WorkerControl.activity)
    vertx.eventBus().<JsonObject>localConsumer(Controls.activity(slot.workerId()), m -> m.reply(new JsonObject()
        .put("worker_id", slot.workerId()).put("running", current == null ? new JsonArray() : new JsonArray()
            .add(current)).put("concurrency", 1).put("services", new JsonArray().add(slot.type()))));
    return JobStore.connect(vertx, storeConfig).onSuccess(s -> {
      store = s;
      loop();
    });
  }

  private void loop() {
    if (stopping) {
      return;
    }
    WorkerCapabilities caps = WorkerCapabilities.of(slot.workerId(), slot.type()).withMachine(machine.machineId())
        .withHardware(machine.workerHardware(slot));
    Promise<Void> turn = Promise.promise();
    inFlight = turn.future();
    store.claim(caps, 10, LEASE_MS).compose(r -> r.job().isEmpty() ? Future.succeededFuture(false)
        : work(r.job().get()).map(true)).onComplete(ar -> {
          turn.complete();
          if (stopping) {
            return;
          }
          if (ar.succeeded() && ar.result()) {
            loop();
          } else {
            vertx.setTimer(IDLE_POLL_MS, id -> loop());
          }
        });
  }

  private Future<Void> work(ClaimedJob c) {
    Promise<Void> held = Promise.promise();
    current = c.job().id();
    vertx.setTimer(Math.max(1, workMs), id -> gate.onComplete(ar -> held.complete()));
    JsonObject result = new JsonObject().put("worker_id", slot.workerId()).put("gpu", slot.gpu())
        .put("service_port", slot.servicePort());
    return held.future().compose(v -> store.complete(c.job().id(), c.token(), result, null))
        .onComplete(ar -> current = null).mapEmpty();
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    return inFlight.compose(v -> store.close());
  }
}
