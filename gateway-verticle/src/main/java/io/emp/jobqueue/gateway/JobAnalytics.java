package io.emp.jobqueue.gateway;

import io.emp.jobqueue.core.metrics.ActivityWindow;
import io.emp.jobqueue.core.metrics.AnomalyDetector;
import io.emp.jobqueue.core.metrics.CapacityModel;
import io.emp.jobqueue.core.metrics.MetricNames;
import io.emp.jobqueue.core.metrics.Metrics;
import io.emp.jobqueue.core.metrics.SlaWindow;
import io.emp.jobqueue.core.model.JobEvent;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.core.telemetry.SamplingPolicy;
import io.emp.jobqueue.queue.QueueClient;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The cluster view of an API node, built from the job-event stream it relays (every API node relays
 * every event, so every API node computes the same figures) and from the queue's stats in Redis:
 * SLA compliance per tier (GET /api/sla), capacity per service (GET /api/capacity), the EWMA anomaly
 * scores, and the emp_queue_* gauges. All of it is exported with {@code scope="cluster"}: aggregate
 * these families across nodes with {@code max}, never {@code sum} (docs/operations.md).
 *
 * <p>Runs on the gateway verticle's context: the relay, the tick timer and the HTTP handlers all call
 * it there, so it needs no locks.
 */
final class JobAnalytics implements Consumer<JobEvent> {
  private static final System.Logger LOG = System.getLogger(JobAnalytics.class.getName());
  /** Event-bus address of anomaly events (outbound-permitted on the SockJS bridge). */
  static final String MONITOR_ANOMALIES = "emp.monitor.anomalies";
  static final String LATENCY = "latency";
  static final String QUEUE_WAIT = "queue_wait";
  static final String ERROR_RATE = "error_rate";
  private static final String CLUSTER = MetricNames.SCOPE_CLUSTER;

  private final Vertx vertx;
  private final Metrics metrics;
  private final SamplingPolicy sampling;
  private final QueueClient queue;
  private final SessionRegistry registry;
  private final EventBus bus;
  private final SlaWindow sla;
  private final CapacityModel capacity;
  private final AnomalyDetector anomalies;
  /** Per-minute submits, outcomes and latency of the last 15 minutes (GET /api/activity, the monitor's charts). */
  private final ActivityWindow activity = new ActivityWindow();
  private final long startedAt = System.currentTimeMillis();
  /** What the current interval saw, per service: the anomaly detector's input. */
  private Map<String, Interval> interval = new HashMap<>();
  private Map<String, Long> backlog = new HashMap<>();
  private final Set<String> services = new TreeSet<>();
  private long timer = -1;
  private boolean polling;
  private volatile long ticks;
  private final ServiceCoverage coverage = new ServiceCoverage();

  private static final class Interval {
    double latencySum;
    double waitSum;
    /** Completions whose event carried created_at and started_at (the latency and wait samples). */
    long timed;
    long completed;
    long errors;
  }

  JobAnalytics(Vertx vertx, Metrics metrics, SamplingPolicy sampling, QueueClient queue, SessionRegistry registry) {
    this.vertx = vertx;
    this.metrics = metrics;
    this.sampling = sampling;
    this.queue = queue;
    this.registry = registry;
    this.bus = vertx.eventBus();
    this.sla = new SlaWindow(metrics.config().sla());
    this.capacity = new CapacityModel(metrics.config().capacity());
    this.anomalies = new AnomalyDetector(metrics.config().anomaly());
  }

  /** Which services live workers serve, as of the last stats poll (submit warnings). */
  ServiceCoverage coverage() {
    return coverage;
  }

  void start() {
    metrics.gauge(MetricNames.QUEUE_UP, CLUSTER);
    metrics.gauge(MetricNames.QUEUE_UNSERVED, CLUSTER);
    timer = vertx.setPeriodic(metrics.config().analyticsIntervalMs(), t -> tick());
  }

  void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  // ------------------------------------------------------------------ events

  @Override
  public void accept(JobEvent e) {
    String service = e.field("service");
    if (service == null || e.type() == null) {
      return;
    }
    service = metrics.bounded(MetricNames.L_SERVICE, service);
    services.add(service);
    long ts = e.timestamp();
    switch (e.type()) {
      case JobEvent.SUBMITTED -> {
        capacity.arrived(service, ts);
        activity.submitted(ts);
      }
      case JobEvent.COMPLETED -> finished(e, service, ts, true);
      case JobEvent.FAILED -> finished(e, service, ts, false);
      // a failed attempt that will be retried (or an expired lease): an error, not an outcome
      case JobEvent.REQUEUED -> {
        if ("retry".equals(e.field("reason"))) {
          interval.computeIfAbsent(service, s -> new Interval()).errors++;
        }
      }
      default -> {
      }
    }
  }

  private void finished(JobEvent e, String service, long ts, boolean succeeded) {
    long created = num(e.field("created_at"));
    long started = num(e.field("started_at"));
    long processing = started > 0 && ts >= started ? ts - started : -1;
    capacity.finished(service, ts, processing);
    if (succeeded) {
      activity.completed(ts, created > 0 && ts >= created ? ts - created : -1);
    } else {
      activity.failed(ts);
    }
    if (created > 0) {
      String tier = SamplingPolicy.tierFromBaggage(e.field("baggage"));
      sla.record(tier != null ? tier : sampling.tierOf(e.field("customer_id")), service, ts, ts - created, succeeded);
    }
    Interval i = interval.computeIfAbsent(service, s -> new Interval());
    if (!succeeded) {
      i.errors++;
      return;
    }
    i.completed++;
    if (processing >= 0 && created > 0 && started >= created) {
      i.timed++;
      i.latencySum += processing / 1000.0;
      i.waitSum += (started - created) / 1000.0;
    }
  }

  private static long num(String s) {
    try {
      return s == null ? -1 : Long.parseLong(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  // ------------------------------------------------------------------ the interval tick

  /** Intervals completed so far (tests wait on it instead of sleeping). */
  long ticks() {
    return ticks;
  }

  void tick() {
    long now = System.currentTimeMillis();
    Map<String, Interval> done = interval;
    interval = new HashMap<>();
    for (String service : services) {
      Interval i = done.get(service);
      score(service, LATENCY, i == null || i.timed == 0 ? null : i.latencySum / i.timed, now);
      score(service, QUEUE_WAIT, i == null || i.timed == 0 ? null : i.waitSum / i.timed, now);
      long attempts = i == null ? 0 : i.completed + i.errors;
      score(service, ERROR_RATE, attempts == 0 ? null : (double) i.errors / attempts, now);
    }
    updateSlaGauges(now);
    pollQueue(now);
    ticks++;
  }

  private void score(String service, String signal, Double value, long now) {
    var gauge = metrics.gauge(MetricNames.ANOMALY_SCORE, service, signal, CLUSTER);
    // exported at 0 from the start, so increase() sees the first anomaly (a series born at 1 shows none)
    var crossings = metrics.counter(MetricNames.ANOMALIES, service, signal, CLUSTER);
    if (value == null) {
      gauge.set(0); // no data this interval is no evidence of an anomaly
      return;
    }
    AnomalyDetector.Score s = anomalies.observe(service + "/" + signal, value);
    gauge.set(s.score());
    if (s.crossed()) {
      crossings.increment();
      publishAnomaly(service, signal, s, now);
    }
  }

  private void publishAnomaly(String service, String signal, AnomalyDetector.Score s, long now) {
    JsonObject event = new JsonObject().put("type", "anomaly").put("service", service).put("signal", signal)
        .put("value", s.value()).put("score", Math.round(s.score() * 100) / 100.0)
        .put("baseline_mean", s.mean()).put("baseline_stddev", s.stddev())
        .put("threshold", metrics.config().anomaly().threshold()).put("timestamp", now);
    LOG.log(System.Logger.Level.WARNING, "anomaly: " + signal + " of " + service + " = " + s.value()
        + " (z " + event.getDouble("score") + ")");
    bus.publish(MONITOR_ANOMALIES, event);
    WsText text = WsText.of(event);
    registry.monitors().forEach(m -> m.send(text));
  }

  private void updateSlaGauges(long now) {
    sla.series().forEach((tier, byService) -> byService.keySet().forEach(service -> {
      metrics.gauge(MetricNames.SLA_COMPLIANCE, tier, service, "1h", CLUSTER)
          .set(sla.compliance(tier, service, now, SlaWindow.HOUR_MS));
      metrics.gauge(MetricNames.SLA_COMPLIANCE, tier, service, "1d", CLUSTER)
          .set(sla.compliance(tier, service, now, SlaWindow.DAY_MS));
    }));
  }

  private void pollQueue(long now) {
    if (polling) {
      return;
    }
    polling = true;
    queue.stats(TraceContext.EMPTY).onComplete(ar -> {
      polling = false;
      metrics.gauge(MetricNames.QUEUE_UP, CLUSTER).set(ar.succeeded() ? 1 : 0);
      if (ar.failed()) {
        return;
      }
      Map<String, Long> next = new HashMap<>();
      coverage.update(ar.result().getJsonArray("served_services", new JsonArray()));
      long unserved = 0;
      for (Object o : ar.result().getJsonArray("services", new JsonArray())) {
        JsonObject s = (JsonObject) o;
        if (s.getLong("pending", 0L) + s.getLong("delayed", 0L) > 0 && s.getLong("workers", 0L) == 0) {
          unserved++;
        }
        String service = metrics.bounded(MetricNames.L_SERVICE, s.getString("service"));
        metrics.gauge(MetricNames.QUEUE_PAUSED, service, CLUSTER).set(s.getBoolean("paused", false) ? 1 : 0);
        services.add(service);
        for (String state : List.of("pending", "active", "delayed")) {
          metrics.gauge(MetricNames.QUEUE_JOBS, service, state, CLUSTER).set(s.getLong(state, 0L));
        }
        for (String status : List.of("completed", "failed", "cancelled")) {
          metrics.total(MetricNames.QUEUE_FINISHED, service, status, CLUSTER).set(s.getLong(status, 0L));
        }
        long age = s.getLong("oldest_pending_age_ms", -1L);
        metrics.gauge(MetricNames.QUEUE_OLDEST, service, CLUSTER).set(age < 0 ? 0 : age / 1000.0);
        next.merge(service, s.getLong("pending", 0L) + s.getLong("delayed", 0L), Long::sum);
      }
      backlog = next;
      metrics.gauge(MetricNames.QUEUE_UNSERVED, CLUSTER).set(unserved);
      for (String service : services) {
        CapacityModel.Estimate e = capacity.estimate(service, backlog.getOrDefault(service, 0L), now);
        metrics.gauge(MetricNames.CAPACITY_ARRIVALS, service, CLUSTER).set(e.arrivalsPerSecond());
        metrics.gauge(MetricNames.CAPACITY_COMPLETIONS, service, CLUSTER).set(e.completionsPerSecond());
        metrics.gauge(MetricNames.CAPACITY_BACKLOG, service, CLUSTER).set(e.backlog());
        metrics.gauge(MetricNames.CAPACITY_DRAIN, service, CLUSTER).set(e.timeToDrainSeconds());
        metrics.gauge(MetricNames.CAPACITY_SLOTS_NEEDED, service, CLUSTER).set(e.slotsNeeded());
        metrics.gauge(MetricNames.CAPACITY_SERVICE_TIME, service, CLUSTER).set(e.meanServiceSeconds());
      }
    });
  }

  // ------------------------------------------------------------------ API documents

  /** GET /api/sla. */
  JsonObject slaSummary() {
    return sla.summary(System.currentTimeMillis()).put("observed_since", startedAt);
  }

  /** GET /api/activity: the last 15 minutes, per minute, cluster-wide. */
  JsonObject activitySummary() {
    return activity.toJson(System.currentTimeMillis()).put("observed_since", startedAt);
  }

  /** GET /api/capacity, with the backlog of the last stats poll. */
  JsonObject capacitySummary() {
    long now = System.currentTimeMillis();
    JsonArray out = new JsonArray();
    for (String service : services) {
      out.add(capacity.estimate(service, backlog.getOrDefault(service, 0L), now).toJson(metrics.config().capacity()));
    }
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("slots_needed", "ceil(arrival_rate * mean_service_time + backlog * mean_service_time / target_wait)");
    model.put("time_to_drain", "backlog / (completion_rate - arrival_rate), null when the backlog is not shrinking");
    return new JsonObject().put("generated_at", now).put("observed_since", startedAt).put("services", out)
        .put("model", new JsonObject(model));
  }
}
