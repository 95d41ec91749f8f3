package io.emp.jobqueue.machine;

import io.emp.jobqueue.core.telemetry.RateLimitedLog;
import io.emp.jobqueue.queue.monitor.MonitorNotices;
import io.emp.jobqueue.queue.store.MachineRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One heartbeat of a running machine: renews its registration with what its workers are doing now,
 * registers again when the registration expired, publishes the workers' heartbeat notice (bus and
 * Redis monitor stream, so every gateway sees it), and reads the durable drain mark.
 */
final class MachineHeartbeat {
  private static final System.Logger LOG = System.getLogger(MachineHeartbeat.class.getName());
  private static final RateLimitedLog WARNINGS = new RateLimitedLog(LOG, "machine heartbeat");

  private final Vertx vertx;
  private final MachineConfig cfg;
  private final String instance;
  private final MachineRegistry registry;
  private final MonitorNotices notices;
  private final MachineBootstrap machine;

  MachineHeartbeat(Vertx vertx, MachineConfig cfg, String instance, MachineRegistry registry, MonitorNotices notices,
                   MachineBootstrap machine) {
    this.vertx = vertx;
    this.cfg = cfg;
    this.instance = instance;
    this.registry = registry;
    this.notices = notices;
    this.machine = machine;
  }

  void beat() {
    List<WorkerSlot> slots = machine.slots();
    List<String> ids = slots.stream().map(WorkerSlot::workerId).toList();
    MachineActivity.collect(vertx, slots, machine.supervisor()).compose(act -> {
      Map<String, String> fields = new LinkedHashMap<>(act.machine());
      fields.put("status", machine.state());
      fields.put("draining", Boolean.toString(machine.draining()));
      if (machine.startupDurationMs() >= 0) {
        fields.put("startup_duration_ms", Long.toString(machine.startupDurationMs()));
      }
      return registry.heartbeat(cfg.machineId(), instance, ids, fields, act.workers(), cfg.registrationTtlMs(),
              System.currentTimeMillis())
          .compose(beat -> switch (beat) {
            case ALIVE -> Future.<Void>succeededFuture();
            // expired (e.g. Redis was away longer than the TTL): register again
            case GONE -> machine.register(machine.state());
            case TAKEN -> Future.<Void>failedFuture(new IllegalStateException("machine id " + cfg.machineId()
                + " was registered by another instance while this one's registration had expired; this machine "
                + "keeps working but is not registered. Give each machine its own EMP_MACHINE_ID"));
          })
          .map(v -> act);
    })
        .compose(act -> {
          notices.publish(MonitorNotices.WORKERS, new JsonObject().put("type", "worker_heartbeat")
              .put("machine_id", cfg.machineId()).put("worker_ids", new JsonArray(ids)).put("status", machine.state())
              .put("workers", act.workerList()).put("slots_busy", act.busy()).put("slots_total", act.total())
              .put("current_jobs", act.currentJobs()).put("timestamp", System.currentTimeMillis()));
          // the durable drain mark: how a drain reaches a machine that the bus does not (no cluster)
          return machine.draining() ? Future.succeededFuture(false) : registry.drainRequested(cfg.machineId());
        })
        .onSuccess(drain -> {
          WARNINGS.recovered("heartbeats succeed again");
          if (Boolean.TRUE.equals(drain)) {
            machine.drain("the drain mark in its registration");
          }
        })
        .onFailure(err -> WARNINGS.warn("heartbeat failed; the next one retries", err));
  }
}
