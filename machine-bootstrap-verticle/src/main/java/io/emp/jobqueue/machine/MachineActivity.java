package io.emp.jobqueue.machine;

import io.emp.jobqueue.queue.control.Controls;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a heartbeat reports besides "alive" (issue 11): each worker's running jobs (asked on its local
 * activity address, {@link Controls#activity}), the machine's busy and total slots, its current jobs
 * and the health of its supervised services. A worker that does not answer in time counts as idle
 * with its slot's defaults: a heartbeat is never held up by a worker.
 */
final class MachineActivity {
  static final long ASK_TIMEOUT_MS = 1_000;

  /** One heartbeat's figures: the machine's fields, each worker's fields, and the monitor notice parts. */
  record Snapshot(Map<String, String> machine, Map<String, Map<String, String>> workers, JsonArray workerList,
                  int busy, int total, JsonArray currentJobs) {
  }

  private MachineActivity() {
  }

  static Future<Snapshot> collect(Vertx vertx, List<WorkerSlot> slots, ServiceSupervisor supervisor) {
    List<Future<JsonObject>> asks = new ArrayList<>();
    for (WorkerSlot s : slots) {
      asks.add(vertx.eventBus().<JsonObject>request(Controls.activity(s.workerId()), null,
              new DeliveryOptions().setSendTimeout(ASK_TIMEOUT_MS).setLocalOnly(true))
          .map(m -> m.body()).otherwise(new JsonObject()));
    }
    return Future.join(asks).map(cf -> {
      Map<String, Map<String, String>> workers = new LinkedHashMap<>();
      JsonArray list = new JsonArray();
      JsonArray current = new JsonArray();
      java.util.Set<String> services = new java.util.TreeSet<>();
      int busy = 0;
      int total = 0;
      for (int i = 0; i < slots.size(); i++) {
        JsonObject a = asks.get(i).result();
        WorkerSlot slot = slots.get(i);
        JsonArray running = a.getJsonArray("running", new JsonArray());
        int concurrency = a.getInteger("concurrency", 1);
        busy += running.size();
        total += concurrency;
        running.forEach(current::add);
        Map<String, String> f = new LinkedHashMap<>();
        f.put("status", running.isEmpty() ? "idle" : "busy");
        f.put("current_job_id", running.isEmpty() ? "" : running.getString(0));
        f.put("running_jobs", running.encode());
        f.put("concurrency", Integer.toString(concurrency));
        if (a.getJsonArray("services") != null) {
          f.put("services", a.getJsonArray("services").encode());
          a.getJsonArray("services").forEach(x -> services.add(String.valueOf(x)));
        }
        if (a.getJsonObject("capabilities") != null) {
          f.put("capabilities", a.getJsonObject("capabilities").encode());
        }
        workers.put(slot.workerId(), f);
        list.add(new JsonObject().put("worker_id", slot.workerId()).put("status", f.get("status"))
            .put("current_job_id", running.isEmpty() ? null : running.getString(0)).put("running", running.size()));
      }
      Map<String, String> machine = new LinkedHashMap<>();
      machine.put("slots_busy", Integer.toString(busy));
      machine.put("slots_total", Integer.toString(total));
      machine.put("current_jobs", current.encode());
      machine.put("health", health(supervisor).encode());
      if (!services.isEmpty()) {
        // what the workers actually serve (a worker type may serve several services)
        machine.put("services", new JsonArray(new ArrayList<>(services)).encode());
      }
      return new Snapshot(machine, workers, list, busy, total, current);
    });
  }

  /** Supervised service name -> its state (starting, healthy, restarting, failed, stopped). */
  static JsonObject health(ServiceSupervisor supervisor) {
    JsonObject h = new JsonObject();
    supervisor.processes().forEach(p -> h.put(p.instance().name(),
        p.state().name().toLowerCase(java.util.Locale.ROOT)));
    return h;
  }
}
