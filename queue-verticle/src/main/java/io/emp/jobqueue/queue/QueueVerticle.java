package io.emp.jobqueue.queue;

import io.emp.jobqueue.core.metrics.MetricNames;
import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.core.model.JobStatus;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.core.telemetry.Seed;
import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.queue.store.JobStore;
import io.emp.jobqueue.queue.store.ServiceStats;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Lifecycle shell: connects the store, serves the queue API on the event bus and runs the
 * housekeeping timers (lease reaper, retry promoter, index trimmer).
 */
public final class QueueVerticle extends VerticleBase {
  private static final System.Logger LOG = System.getLogger(QueueVerticle.class.getName());

  private final QueueConfig cfg;
  private final Telemetry telemetry;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private JobStore store;
  private QueueService service;
  private Housekeeper housekeeper;

  public QueueVerticle(QueueConfig cfg, Telemetry telemetry) {
    this.cfg = cfg;
    this.telemetry = telemetry;
  }

  @Override
  public Future<?> start() {
    return JobStore.connect(vertx, cfg.store()).compose(s -> {
      store = s;
      service = new QueueService(s, telemetry.tracer(Seed.Service.API), telemetry.sampler().policy()::tierOf);
      // each expired lease is reaped by exactly one node (one atomic script): summing across nodes is exact
      var leaseExpired = telemetry.metrics().counter(MetricNames.ERRORS, "queue", "lease_expired");
      housekeeper = new Housekeeper(vertx, s, cfg, leaseExpired::increment);
      registerConsumers();
      housekeeper.start();
      return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
    });
  }

  private void registerConsumers() {
    EventBus bus = vertx.eventBus();
    consumers.add(bus.<JsonObject>consumer(QueueAddresses.SUBMIT,
        msg -> respond(msg, m -> service.submit(m.body(), trace(m)).map(r -> r.toJson()))));
    consumers.add(bus.<JsonObject>consumer(QueueAddresses.GET, msg -> respond(msg, m -> store
        .get(m.body().getString("job_id"))
        .map(j -> j.orElseThrow(() -> JobQueueException.notFound("job " + m.body().getString("job_id"))).toJson()))));
    consumers.add(bus.<JsonObject>consumer(QueueAddresses.CANCEL, msg -> respond(msg, m -> store
        .cancel(m.body().getString("job_id"), m.body().getString("reason"), trace(m).traceparent())
        .map(o -> new JsonObject().put("outcome", o.name().toLowerCase())))));
    consumers.add(bus.<JsonObject>consumer(QueueAddresses.LIST, msg -> respond(msg, m -> {
      JsonObject b = m.body();
      JobStatus status = b.getString("status") == null ? null : JobStatus.fromWire(b.getString("status"));
      return store.list(status, b.getString("service"), b.getInteger("limit", 50), b.getString("cursor"))
          .map(page -> page.toJson());
    })));
    consumers.add(bus.<JsonObject>consumer(QueueAddresses.STATS, msg -> respond(msg, m -> store.stats()
        .map(list -> new JsonObject().put("services",
            new JsonArray(list.stream().map(ServiceStats::toJson).toList()))))));
    consumers.add(bus.<JsonObject>consumer(QueueAddresses.WORKFLOW, msg -> respond(msg, m -> store
        .workflowSteps(m.body().getString("workflow_id")).map(steps -> {
          JsonArray arr = new JsonArray();
          steps.forEach((job, tp) -> arr.add(new JsonObject().put("job_id", job).put("traceparent", tp)
              .put("trace_id", TraceContext.of(tp).traceId())));
          return new JsonObject().put("workflow_id", m.body().getString("workflow_id")).put("steps", arr);
        }))));
    consumers.add(bus.<JsonObject>consumer(QueueAddresses.EVENTS, msg -> respond(msg, m -> store
        .events(m.body().getString("job_id"), m.body().getLong("after_seq", 0L), m.body().getInteger("limit", 1000))
        .map(evs -> new JsonObject().put("events", new JsonArray(evs.stream().map(e -> e.toJson()).toList()))))));
  }

  private static TraceContext trace(Message<?> m) {
    return TraceContext.from(m.headers()::get);
  }

  private static <T> void respond(Message<T> msg, Function<Message<T>, Future<JsonObject>> handler) {
    Future<JsonObject> f;
    try {
      f = handler.apply(msg);
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    f.onSuccess(msg::reply).onFailure(err -> {
      if (!(err instanceof JobQueueException) && !(err instanceof IllegalArgumentException)) {
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
    return Future.all(consumers.stream().map(MessageConsumer::unregister).toList())
        .eventually(() -> store == null ? Future.succeededFuture() : store.close());
  }
}
