package io.emp.jobqueue.machine;

import io.emp.jobqueue.core.telemetry.MachineAttr;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;

/** Phase 5: the supervised services (ComfyUI per GPU, background services) started and healthy. */
final class ServicesPhase {
  private ServicesPhase() {
  }

  /** Answers the worker slots bound to the services that serve them (a ComfyUI worker gets its port). */
  static Future<List<WorkerSlot>> run(Vertx vertx, MachineConfig cfg, List<WorkerSlot> slots,
                                      ServiceSupervisor supervisor, MachineMetrics metrics, Span span) {
    MachineProfile p = cfg.profile();
    return vertx.executeBlocking(() -> ServicePlanner.plan(p.services(), slots, cfg.workDir(), cfg.machineId(),
        p.variables()), false).compose(instances -> {
          List<WorkerSlot> bound = ServicePlanner.bind(slots, instances);
          span.setAttribute(MachineAttr.SERVICES_WORKER_INSTANCES, bound.size());
          if (instances.isEmpty()) {
            Phases.skipped(span, "the profile supervises no services for these workers");
            return Future.succeededFuture(bound);
          }
          span.setAttribute(MachineAttr.PM2_PROCESSES_DEFINED, instances.size());
          span.setAttribute(MachineAttr.PM2_STARTUP_STRATEGY, "parallel");
          span.setAttribute(MachineAttr.SERVICES_TOTAL, instances.size());
          span.setAttribute(MachineAttr.SERVICES_COMFYUI_INSTANCES,
              instances.stream().filter(i -> "comfyui".equals(i.spec().type())).count());
          span.setAttribute(MachineAttr.SERVICES_BACKGROUND,
              instances.stream().filter(i -> i.workerType() == null).count());
          long t = System.nanoTime();
          return supervisor.startAll(instances, Context.root().with(span)).map(started -> {
            started.forEach(s -> metrics.serviceReady(s.process().instance().name(), s.readiness().readyMs(),
                s.readiness().responseTimeMs()));
            span.setAttribute(MachineAttr.STARTUP_SERVICES_DURATION_MS, Phases.ms(t));
            span.setAttribute(MachineAttr.STARTUP_HEALTH_CHECK_DURATION_MS,
                started.stream().mapToLong(s -> s.readiness().healthWaitMs()).max().orElse(0));
            span.setAttribute(MachineAttr.STARTUP_READY_STATE_REACHED, true);
            return bound;
          });
        });
  }
}
