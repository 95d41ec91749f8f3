package io.emp.jobqueue.worker;

import io.emp.jobqueue.queue.bus.BusTracing;
import io.emp.jobqueue.queue.control.Controls;
import io.emp.jobqueue.queue.monitor.MonitorNotices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;

/**
 * The worker's end of the control plane: its own control address (a cancel of the job it runs) and
 * the broadcast every worker hears (pause/resume a service, drain a machine). Each control only
 * speeds up what the durable record in Redis decides anyway: the cancel flag (seen at the next lease
 * renewal), the paused set (the claim script skips it), the drain mark (the machine's heartbeat).
 * A change of the worker's state is announced on the monitor plane ({@code worker_status}).
 * Registered on the worker's context, so every handler runs there.
 */
final class WorkerControl {
  private static final System.Logger LOG = System.getLogger(WorkerControl.class.getName());

  private final Vertx vertx;
  private final WorkerConfig cfg;
  private final ClaimLoop loop;
  private final BusTracing tracing;
  private final MonitorNotices notices;
  private MessageConsumer<JsonObject> own;
  private MessageConsumer<JsonObject> all;
  private MessageConsumer<JsonObject> activity;

  WorkerControl(Vertx vertx, WorkerConfig cfg, ClaimLoop loop, BusTracing tracing, MonitorNotices notices) {
    this.vertx = vertx;
    this.cfg = cfg;
    this.loop = loop;
    this.tracing = tracing;
    this.notices = notices;
  }

  Future<Void> start() {
    own = vertx.eventBus().consumer(Controls.worker(cfg.workerId()), this::onMessage);
    all = vertx.eventBus().consumer(Controls.WORKERS, this::onMessage);
    // local only: the machine in this JVM asks at each heartbeat (busy slots, current jobs)
    activity = vertx.eventBus().localConsumer(Controls.activity(cfg.workerId()), m -> m.reply(activity()));
    return Future.all(own.completion(), all.completion(), activity.completion()).mapEmpty();
  }

  private void onMessage(Message<JsonObject> msg) {
    BusTracing.Incoming in = tracing.process(msg.address(), msg.headers());
    JsonObject m = msg.body();
    try {
      apply(m);
      in.end(null);
    } catch (RuntimeException e) {
      in.end(e);
      LOG.log(System.Logger.Level.WARNING, "control message " + m.getString(Controls.TYPE) + " failed: " + e);
    }
  }

  void apply(JsonObject m) {
    String type = m.getString(Controls.TYPE, "");
    switch (type) {
      case Controls.CANCEL -> loop.cancel(m.getString("job_id"));
      case Controls.PAUSE -> {
        if (loop.pause(m.getString("service"))) {
          announce("paused " + m.getString("service") + " by " + m.getString("by"));
        }
      }
      case Controls.RESUME -> {
        if (loop.resume(m.getString("service"))) {
          announce("resumed " + m.getString("service") + " by " + m.getString("by"));
        }
      }
      case Controls.DRAIN -> {
        if (cfg.machineId() != null && cfg.machineId().equals(m.getString("machine_id")) && !loop.holding()) {
          loop.hold();
          announce("draining (machine " + cfg.machineId() + ")");
        }
      }
      default -> LOG.log(System.Logger.Level.DEBUG, "ignoring control message of type '" + type + "'");
    }
  }

  /** The paused services at start (the paused set in Redis), so a new worker does not claim in vain. */
  void pausedAtStart(Set<String> services) {
    services.forEach(loop::pause);
  }

  /** What the worker runs now, for its machine's heartbeat. */
  JsonObject activity() {
    return new JsonObject().put("worker_id", cfg.workerId()).put("running", new JsonArray(loop.runningJobIds()))
        .put("concurrency", cfg.concurrency())
        .put("services", new JsonArray(List.copyOf(cfg.capabilities().services())))
        .put("capabilities", cfg.capabilities().toJson());
  }

  /** The worker's control state as a monitor notice. */
  JsonObject status(String change) {
    return new JsonObject().put("type", "worker_status").put("worker_id", cfg.workerId())
        .put("machine_id", cfg.machineId())
        .put("services", new JsonArray(List.copyOf(cfg.capabilities().services())))
        .put("paused_services", new JsonArray(List.copyOf(loop.pausedServices())))
        .put("draining", loop.holding()).put("running", loop.runningCount())
        .put("change", change).put("timestamp", System.currentTimeMillis());
  }

  private void announce(String change) {
    LOG.log(System.Logger.Level.INFO, "worker " + cfg.workerId() + ": " + change);
    if (notices != null) {
      notices.publish(MonitorNotices.WORKERS, status(change));
    }
  }

  Future<Void> stop() {
    Future<Void> a = own == null ? Future.succeededFuture() : own.unregister();
    Future<Void> b = all == null ? Future.succeededFuture() : all.unregister();
    Future<Void> c = activity == null ? Future.succeededFuture() : activity.unregister();
    return Future.join(a, b, c).mapEmpty();
  }
}
