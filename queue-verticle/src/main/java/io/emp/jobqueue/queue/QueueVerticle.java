package io.emp.jobqueue.queue;

import io.emp.jobqueue.core.telemetry.ServiceName;
import io.emp.jobqueue.core.metrics.MetricNames;
import io.emp.jobqueue.core.model.JobBatch;
import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.core.model.JobSpec;
import io.emp.jobqueue.core.model.JobSpecCodec;
import io.emp.jobqueue.core.model.JobStatus;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.queue.bus.BusTracing;
import io.emp.jobqueue.queue.control.Controls;
import io.emp.jobqueue.queue.monitor.MonitorNotices;
import io.emp.jobqueue.queue.store.BrowsePage;
import io.emp.jobqueue.queue.store.CancelOutcome;
import io.emp.jobqueue.queue.store.EventTail;
import io.emp.jobqueue.queue.store.JobFilter;
import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.queue.store.MachineRegistry;
import io.emp.jobqueue.queue.store.ServiceStats;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * Lifecycle shell: connects the store, serves the queue API on the event bus and runs the
 * housekeeping timers (lease reaper, retry promoter, index trimmer). Controls that act on workers
 * (cancel of a running job, pause/resume, drain) are written to Redis first and then signalled on
 * the bus ({@link Controls}), so a lost signal only delays them.
 */
public final class QueueVerticle extends VerticleBase {
  private static final System.Logger LOG = System.getLogger(QueueVerticle.class.getName());

  private final QueueConfig cfg;
  private final Telemetry telemetry;
  private final boolean followOutcomes;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private JobStore store;
  private QueueService service;
  private Housekeeper housekeeper;
  private BusTracing tracing;
  private MonitorNotices notices;
  private List<OutcomeFeed> outcomes = List.of();
  private JobActions actions;

  public QueueVerticle(QueueConfig cfg, Telemetry telemetry) {
    this(cfg, telemetry, false);
  }

  /**
   * @param followOutcomes tell this node's tail sampler how jobs end (a node without the gateway,
   *     which does it otherwise; see {@link OutcomeFeed})
   */
  public QueueVerticle(QueueConfig cfg, Telemetry telemetry, boolean followOutcomes) {
    this.cfg = cfg;
    this.telemetry = telemetry;
    this.followOutcomes = followOutcomes;
  }

  @Override
  public Future<?> start() {
    JobSpecCodec.register(vertx);
    return JobStore.connect(vertx, cfg.store()).compose(s -> {
      store = s;
      service = new QueueService(s, telemetry.tracer(ServiceName.API), telemetry.sampler().policy()::tierOf);
      tracing = BusTracing.of(vertx, telemetry.tracer(ServiceName.API));
      notices = MonitorNotices.of(vertx, s);
      actions = new JobActions(s, telemetry.tracer(ServiceName.API));
      // each expired lease is reaped by exactly one node (one atomic script): summing across nodes is exact
      var leaseExpired = telemetry.metrics().counter(MetricNames.ERRORS, "queue", "lease_expired");
      housekeeper = new Housekeeper(vertx, s, cfg, leaseExpired::increment);
      registerConsumers();
      housekeeper.start();
      if (followOutcomes && telemetry.sampler().policy().enabled()) {
        outcomes = EventTail.perShard(vertx, cfg.store()).stream()
            .map(t -> new OutcomeFeed(vertx, t, telemetry.sampler())).toList();
        outcomes.forEach(OutcomeFeed::start);
      }
      return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
    });
  }

  private void registerConsumers() {
    consume(QueueAddresses.SUBMIT, (JobSpec spec, TraceContext t) -> service.submit(spec, t).map(r -> r.toJson()));
    consume(QueueAddresses.SUBMIT_BATCH, (JobBatch batch, TraceContext t) -> service.submitAll(batch, t)
        .map(items -> new JsonObject().put("results", new JsonArray(items.stream().map(BatchItem::toJson).toList()))));
    handle(QueueAddresses.GET, (b, t) -> store.queries().view(b.getString("job_id"))
        .map(j -> j.orElseThrow(() -> JobQueueException.notFound("job " + b.getString("job_id")))));
    handle(QueueAddresses.CANCEL, this::cancel);
    handle(QueueAddresses.LIST, (b, t) -> {
      JobStatus status = b.getString("status") == null ? null : JobStatus.fromWire(b.getString("status"));
      return store.queries().list(status, b.getString("service"), b.getInteger("limit", 50), b.getString("cursor"))
          .map(page -> page.toJson());
    });
    handle(QueueAddresses.BROWSE, (b, t) -> store.queries().browse(JobFilter.fromJson(b.getJsonObject("filter",
        new JsonObject())), b.getInteger("limit", 50), b.getString("cursor")).map(BrowsePage::toJson));
    handle(QueueAddresses.RETRY, (b, t) -> actions.retry(b.getString("job_id"), b.getString("by", "unknown"), t));
    handle(QueueAddresses.RETRY_BULK, (b, t) -> actions.retryMatching(b.getJsonObject("filter", new JsonObject()),
        b.getString("by", "unknown"), t));
    handle(QueueAddresses.PROMOTE, (b, t) -> actions.promote(b.getString("job_id"), b.getString("by", "unknown"), t));
    handle(QueueAddresses.DELETE, (b, t) -> actions.delete(b.getString("job_id"), b.getString("by", "unknown"), t));
    handle(QueueAddresses.MACHINES, (b, t) -> MachineRegistry.of(store).machines().map(RegistryView::machines));
    handle(QueueAddresses.WORKERS, (b, t) -> MachineRegistry.of(store).workers().map(RegistryView::workers));
    handle(QueueAddresses.STATS, (b, t) -> stats());
    handle(QueueAddresses.WORKFLOW, (b, t) -> store.queries().workflowSteps(b.getString("workflow_id")).map(steps -> {
      JsonArray arr = new JsonArray();
      steps.forEach((job, tc) -> arr.add(new JsonObject().put("job_id", job).put("traceparent", tc.traceparent())
          .put("trace_id", tc.traceId())));
      return new JsonObject().put("workflow_id", b.getString("workflow_id")).put("steps", arr);
    }));
    handle(QueueAddresses.EVENTS, (b, t) -> store.queries().events(b.getString("job_id"), b.getLong("after_seq", 0L),
            b.getInteger("limit", 1000))
        .map(evs -> new JsonObject().put("events", new JsonArray(evs.stream().map(e -> e.toJson()).toList()))));
    handle(QueueAddresses.PAUSE, (b, t) -> pauseOrResume(b, t, true));
    handle(QueueAddresses.RESUME, (b, t) -> pauseOrResume(b, t, false));
    handle(QueueAddresses.QUEUES, (b, t) -> queues());
    handle(QueueAddresses.DRAIN, this::drain);
    handle(QueueAddresses.RELOAD, (b, t) -> {
      String by = b.getString("by", "unknown");
      LOG.log(System.Logger.Level.INFO, "audit: worker settings reload requested by " + by);
      broadcast(Controls.RELOAD, Controls.reload(by), t);
      notices.publish(MonitorNotices.CONTROL, new JsonObject().put("type", "workers_reload_requested")
          .put("by", by).put("timestamp", System.currentTimeMillis()));
      return Future.succeededFuture(new JsonObject().put("reload", "requested"));
    });
  }

  /** Cancels; a running job's worker is also told at once on its control address (Redis flag: fallback). */
  private Future<JsonObject> cancel(JsonObject b, TraceContext trace) {
    String jobId = b.getString("job_id");
    String reason = b.getString("reason");
    return store.cancelJob(jobId, reason, trace).map(c -> {
      if (c.outcome() == CancelOutcome.REQUESTED && c.workerId() != null) {
        signal(Controls.worker(c.workerId()), Controls.cancel(jobId, reason), trace);
      }
      return new JsonObject().put("outcome", c.outcome().name().toLowerCase());
    });
  }

  private Future<JsonObject> pauseOrResume(JsonObject b, TraceContext trace, boolean pause) {
    String svc = b.getString("service");
    String by = b.getString("by", "unknown");
    Future<Boolean> changed = pause ? store.operator().pause(svc) : store.operator().resume(svc);
    return changed.map(ch -> {
      // audit: who, what, whether it changed anything
      LOG.log(System.Logger.Level.INFO, "audit: service '" + svc + "' " + (pause ? "paused" : "resumed") + " by " + by
          + (ch ? "" : " (it already was)"));
      broadcast(Controls.WORKERS, pause ? Controls.pause(svc, by) : Controls.resume(svc, by), trace);
      notices.publish(MonitorNotices.CONTROL, new JsonObject().put("type", pause ? "queue_paused" : "queue_resumed")
          .put("service", svc).put("by", by).put("changed", ch).put("timestamp", System.currentTimeMillis()));
      return new JsonObject().put("service", svc).put("paused", pause).put("changed", ch);
    });
  }

  /**
   * Every service's figures with its paused state and how many live workers serve it, and every
   * service some live worker serves (served_services): what the metrics poll and submit warnings read.
   */
  private Future<JsonObject> stats() {
    return Future.all(store.queries().stats(), store.operator().pausedServices(), MachineRegistry.of(store).workers()).map(cf -> {
      List<ServiceStats> stats = cf.resultAt(0);
      java.util.Set<String> paused = cf.resultAt(1);
      List<JsonObject> workers = cf.resultAt(2);
      Map<String, Integer> serving = new TreeMap<>();
      for (JsonObject w : workers) {
        String services = w.getString("services");
        if (services != null && services.startsWith("[")) {
          new JsonArray(services).forEach(s -> serving.merge(String.valueOf(s), 1, Integer::sum));
        }
      }
      JsonArray out = new JsonArray();
      for (ServiceStats s : stats) {
        out.add(s.toJson().put("paused", paused.contains(s.service()))
            .put("workers", serving.getOrDefault(s.service(), 0)));
      }
      return new JsonObject().put("services", out).put("served_services", new JsonArray(new ArrayList<>(serving.keySet())));
    });
  }

  /** Every known service's figures with its paused state; a paused service with no jobs yet is listed too. */
  private Future<JsonObject> queues() {
    return stats().compose(stats -> store.operator().pausedServices().map(paused -> {
      Map<String, JsonObject> byService = new TreeMap<>();
      stats.getJsonArray("services").forEach(o -> byService.put(((JsonObject) o).getString("service"), (JsonObject) o));
      for (String p : paused) {
        byService.computeIfAbsent(p, k -> new ServiceStats(k, 0, 0, 0, 0, 0, 0, -1).toJson().put("paused", true)
            .put("workers", 0));
      }
      return new JsonObject().put("queues", new JsonArray(new ArrayList<>(byService.values())));
    }));
  }

  private Future<JsonObject> drain(JsonObject b, TraceContext trace) {
    String machineId = b.getString("machine_id");
    String by = b.getString("by", "unknown");
    if (machineId == null || !machineId.matches("[A-Za-z0-9][A-Za-z0-9_.\\-]{0,99}")) {
      return Future.failedFuture(JobQueueException.notFound("machine " + machineId));
    }
    return MachineRegistry.of(store).requestDrain(machineId, by, System.currentTimeMillis()).map(found -> {
      if (!found) {
        throw JobQueueException.notFound("machine " + machineId);
      }
      LOG.log(System.Logger.Level.INFO, "audit: machine '" + machineId + "' asked to drain by " + by);
      signal(Controls.machine(machineId), Controls.drain(machineId, by), trace);
      notices.publish(MonitorNotices.CONTROL, new JsonObject().put("type", "machine_drain_requested")
          .put("machine_id", machineId).put("by", by).put("timestamp", System.currentTimeMillis()));
      return new JsonObject().put("machine_id", machineId).put("draining", true);
    });
  }

  /** Fire and forget: nobody listening (another JVM without a cluster) leaves the Redis record to act. */
  private void signal(String address, JsonObject body, TraceContext trace) {
    BusTracing.Outgoing out = tracing.send(address, trace, 1);
    vertx.eventBus().send(address, body, out.headers(new DeliveryOptions()));
    out.end(null);
  }

  /** To every consumer on every node (every worker). */
  private void broadcast(String address, JsonObject body, TraceContext trace) {
    BusTracing.Outgoing out = tracing.send(address, trace, 1);
    vertx.eventBus().publish(address, body, out.headers(new DeliveryOptions()));
    out.end(null);
  }

  private void handle(String address, BiFunction<JsonObject, TraceContext, Future<JsonObject>> handler) {
    consume(address, handler);
  }

  /** A consumer of bodies of type {@code T} (JSON, or a {@link JobSpec} through its codec). */
  private <T> void consume(String address, BiFunction<T, TraceContext, Future<JsonObject>> handler) {
    consumers.add(vertx.eventBus().<T>consumer(address, msg -> respond(msg, handler)));
  }

  private <T> void respond(Message<T> msg, BiFunction<T, TraceContext, Future<JsonObject>> handler) {
    BusTracing.Incoming in = tracing.process(msg.address(), msg.headers());
    Future<JsonObject> f;
    try {
      f = handler.apply(msg.body(), in.context());
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    f.onSuccess(reply -> {
      in.end(null);
      msg.reply(reply);
    }).onFailure(err -> {
      boolean expected = err instanceof JobQueueException || err instanceof IllegalArgumentException;
      in.end(expected ? null : err);
      if (!expected) {
        LOG.log(System.Logger.Level.ERROR, "queue request on " + msg.address() + " failed", err);
      }
      BusErrors.reply(msg, err);
    });
  }

  @Override
  public Future<?> stop() {
    if (housekeeper != null) {
      housekeeper.stop();
    }
    Future<Void> feed = Future.join(outcomes.stream().map(OutcomeFeed::stop).toList()).mapEmpty();
    return Future.all(consumers.stream().map(MessageConsumer::unregister).toList())
        .eventually(() -> feed)
        .eventually(() -> store == null ? Future.succeededFuture() : store.close());
  }
}
