package io.emp.jobqueue.core.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Every metric the application records, in one place (as {@code SpanName} and {@code Attr} are for spans): its
 * Micrometer meter name, the Prometheus family it is exported as, its HELP text, its labels and
 * the ONE place that records it. docs/operations.md describes each; a test checks that each
 * family here is exported by a running node and that the dashboards use no other {@code emp_} name.
 *
 * <p>Label values are bounded: services, tiers, error types, machines, components and outcomes,
 * never job, trace or customer ids. {@link BoundedLabels} caps what comes from outside.
 *
 * <p>Scope: families marked {@link Scope#CLUSTER} describe the whole queue (read from Redis, or
 * derived from the shared job-event stream) and are exported by every API node alike, with the label
 * {@code scope="cluster"}: aggregate them with {@code max}, never {@code sum}. Every other family
 * counts what this node did, so {@code sum} across nodes is exact (each fact has one recording point).
 */
public final class MetricNames {
  private MetricNames() {
  }

  public enum Type { COUNTER, GAUGE, TIMER }

  public enum Scope { NODE, CLUSTER }

  /**
   * One metric.
   *
   * @param meter the Micrometer meter name
   * @param type counter, gauge or timer (a timer is a Prometheus histogram in seconds)
   * @param help the HELP text
   * @param labels its label names
   * @param recordedBy the class (and method) that records it: its one recording point
   */
  public record Def(String meter, Type type, Scope scope, String help, List<String> labels, String recordedBy) {
    /** The Prometheus family name (what PromQL uses, without _bucket/_count/_sum). */
    public String family() {
      return switch (type) {
        case COUNTER -> meter + "_total";
        case TIMER -> meter + "_seconds";
        case GAUGE -> meter;
      };
    }
  }

  private static final List<Def> ALL_DEFS = new ArrayList<>();

  private static Def def(String meter, Type type, Scope scope, String help, String recordedBy, String... labels) {
    Def d = new Def(meter, type, scope, help, List.of(labels), recordedBy);
    ALL_DEFS.add(d);
    return d;
  }

  // ------------------------------------------------------------------ label names and fixed values

  public static final String L_SERVICE = "service";
  public static final String L_OUTCOME = "outcome";
  public static final String L_TIER = "tier";
  public static final String L_PRIORITY_BAND = "priority_band";
  public static final String L_MACHINE = "machine";
  public static final String L_EXTERNAL_SERVICE = "external_service";
  public static final String L_ENDPOINT = "endpoint";
  public static final String L_MODEL = "model";
  public static final String L_COMPONENT = "component";
  public static final String L_ERROR_TYPE = "error_type";
  public static final String L_MET = "met";
  public static final String L_STATE = "state";
  public static final String L_STATUS = "status";
  public static final String L_SCOPE = "scope";
  public static final String L_WINDOW = "window";
  public static final String L_SIGNAL = "signal";
  public static final String L_PHASE = "phase";
  /** The value of {@link #L_SCOPE} on cluster-scope families. */
  public static final String SCOPE_CLUSTER = "cluster";

  // ------------------------------------------------------------------ jobs (worker)

  public static final Def JOB_PROCESSING = def("emp_job_processing", Type.TIMER, Scope.NODE,
      "Job attempt duration from claim to the attempt's end (claim -> complete for completed attempts); "
          + "exemplars point at kept traces",
      "worker.WorkerMetrics.attemptEnded (JobRunner, when an attempt ends)", L_SERVICE, L_OUTCOME);
  public static final Def JOB_END_TO_END = def("emp_job_end_to_end", Type.TIMER, Scope.NODE,
      "Job duration from submit to its final outcome (submit -> complete), Redis clock; exemplars point at "
          + "kept traces",
      "worker.WorkerMetrics.attemptEnded (final outcomes only)", L_SERVICE, L_TIER, L_OUTCOME);
  public static final Def JOB_ATTEMPTS = def("emp_job_attempts", Type.COUNTER, Scope.NODE,
      "Job attempts ended, by how they ended (completed, retry_scheduled, failed, cancelled, lease_lost, "
          + "released, store_error)",
      "worker.WorkerMetrics.attemptEnded", L_SERVICE, L_OUTCOME);
  public static final Def QUEUE_WAIT = def("emp_queue_wait", Type.TIMER, Scope.NODE,
      "Time a job waited in its queue, from submit (or its retry's due time) to the claim that took it",
      "worker.WorkerMetrics.claimed (ClaimLoop, when a claim returns a job)", L_SERVICE, L_PRIORITY_BAND);
  public static final Def WORKER_SLOTS = def("emp_worker_slots", Type.GAUGE, Scope.NODE,
      "Job slots (concurrency) of the running workers, per machine and worker service",
      "worker.WorkerMetrics.workerStarted/Stopped", L_MACHINE, L_SERVICE);
  public static final Def WORKER_SLOTS_BUSY = def("emp_worker_slots_busy", Type.GAUGE, Scope.NODE,
      "Job slots running an attempt now, per machine and worker service",
      "worker.WorkerMetrics (ClaimLoop launch / attempt end)", L_MACHINE, L_SERVICE);
  public static final Def EXTERNAL_REQUEST = def("emp_external_request", Type.TIMER, Scope.NODE,
      "Duration and outcome (success, error, timeout, cancelled) of the connector's call to its backend "
          + "(ComfyUI, OpenAI, simulation)",
      "worker.WorkerMetrics.externalCall (JobRunner.endExternal)", L_EXTERNAL_SERVICE, L_ENDPOINT, L_MODEL,
      L_OUTCOME);
  public static final Def ERRORS = def("emp_errors", Type.COUNTER, Scope.NODE,
      "Errors by component and error type: every failed attempt (retried or final), lost and expired leases, "
          + "store errors, API error answers, failed component installs",
      "where the error span is made: WorkerMetrics.error, Housekeeper (lease_expired), HttpApi.fail, "
          + "MachineMetrics", L_COMPONENT, L_ERROR_TYPE);

  // ------------------------------------------------------------------ SLA

  public static final Def SLA_JOBS = def("emp_sla_jobs", Type.COUNTER, Scope.NODE,
      "Jobs that reached a final outcome, by whether they met the response time promised to their tier "
          + "(a failed job never meets it)",
      "worker.WorkerMetrics.attemptEnded (final outcomes)", L_SERVICE, L_TIER, L_MET);
  public static final Def SLA_PROMISED = def("emp_sla_promised_seconds", Type.GAUGE, Scope.NODE,
      "Response time promised to each customer tier (configuration: metrics.sla.tiers)",
      "Metrics (from MetricsConfig)", L_TIER);
  public static final Def SLA_OBJECTIVE = def("emp_sla_objective_ratio", Type.GAUGE, Scope.NODE,
      "Share of a tier's jobs that must meet the promise (configuration: metrics.sla.tiers.*.objective); "
          + "the SLA alert compares against it",
      "Metrics (from MetricsConfig)", L_TIER);
  public static final Def SLA_COMPLIANCE = def("emp_sla_compliance_ratio", Type.GAUGE, Scope.CLUSTER,
      "Share of jobs that met their tier's promise over the window (1h, 1d), from the job-event stream",
      "gateway.JobAnalytics (every API node, from the relayed events)", L_TIER, L_SERVICE, L_WINDOW, L_SCOPE);

  // ------------------------------------------------------------------ queue (Redis, cluster scope)

  public static final Def QUEUE_JOBS = def("emp_queue_jobs", Type.GAUGE, Scope.CLUSTER,
      "Jobs in the queue now by state (pending, active, delayed), read from Redis",
      "gateway.JobAnalytics (QUEUE stats poll)", L_SERVICE, L_STATE, L_SCOPE);
  public static final Def QUEUE_FINISHED = def("emp_queue_jobs_finished", Type.COUNTER, Scope.CLUSTER,
      "Jobs that reached a final status (completed, failed, cancelled) since the queue began, read from Redis",
      "gateway.JobAnalytics (QUEUE stats poll)", L_SERVICE, L_STATUS, L_SCOPE);
  public static final Def QUEUE_OLDEST = def("emp_queue_oldest_pending_age_seconds", Type.GAUGE, Scope.CLUSTER,
      "Age of the longest-waiting pending job (0 when none)", "gateway.JobAnalytics (QUEUE stats poll)",
      L_SERVICE, L_SCOPE);
  public static final Def QUEUE_PAUSED = def("emp_queue_paused", Type.GAUGE, Scope.CLUSTER,
      "1 while an admin has paused claims of the service (POST /api/queues/{service}/pause), else 0",
      "gateway.JobAnalytics (QUEUE stats poll)", L_SERVICE, L_SCOPE);
  public static final Def QUEUE_UNSERVED = def("emp_queue_unserved_services", Type.GAUGE, Scope.CLUSTER,
      "Services with waiting (pending or delayed) jobs that no live worker serves: a typo in service_required, "
          + "or every worker of the service is down",
      "gateway.JobAnalytics (QUEUE stats poll)", L_SCOPE);
  public static final Def QUEUE_UP = def("emp_queue_up", Type.GAUGE, Scope.CLUSTER,
      "1 when the last queue stats poll answered, else 0", "gateway.JobAnalytics (QUEUE stats poll)", L_SCOPE);

  // ------------------------------------------------------------------ anomaly detection

  public static final Def ANOMALY_SCORE = def("emp_anomaly_score", Type.GAUGE, Scope.CLUSTER,
      "z-score of the last interval's value against its EWMA baseline, per service and signal (latency, "
          + "queue_wait, error_rate)",
      "gateway.JobAnalytics (AnomalyDetector, once per analytics interval)", L_SERVICE, L_SIGNAL, L_SCOPE);
  public static final Def ANOMALY_THRESHOLD = def("emp_anomaly_threshold", Type.GAUGE, Scope.NODE,
      "|z| at which a signal counts as anomalous (configuration: metrics.anomaly.threshold); the anomaly alert "
          + "compares against it", "Metrics (from MetricsConfig)");
  public static final Def ANOMALIES = def("emp_anomalies", Type.COUNTER, Scope.CLUSTER,
      "Times a signal crossed the anomaly threshold (each crossing is also an 'anomaly' monitor event)",
      "gateway.JobAnalytics", L_SERVICE, L_SIGNAL, L_SCOPE);

  // ------------------------------------------------------------------ capacity planning

  public static final Def CAPACITY_ARRIVALS = def("emp_capacity_arrivals_per_second", Type.GAUGE, Scope.CLUSTER,
      "Jobs submitted per second over the capacity window", "gateway.JobAnalytics (CapacityModel)", L_SERVICE,
      L_SCOPE);
  public static final Def CAPACITY_COMPLETIONS = def("emp_capacity_completions_per_second", Type.GAUGE,
      Scope.CLUSTER, "Jobs finished (completed or failed) per second over the capacity window",
      "gateway.JobAnalytics (CapacityModel)", L_SERVICE, L_SCOPE);
  public static final Def CAPACITY_BACKLOG = def("emp_capacity_backlog_jobs", Type.GAUGE, Scope.CLUSTER,
      "Jobs waiting (pending + delayed)", "gateway.JobAnalytics (CapacityModel)", L_SERVICE, L_SCOPE);
  public static final Def CAPACITY_DRAIN = def("emp_capacity_time_to_drain_seconds", Type.GAUGE, Scope.CLUSTER,
      "Estimated time until the backlog is gone at the current rates (+Inf: it is not shrinking)",
      "gateway.JobAnalytics (CapacityModel)", L_SERVICE, L_SCOPE);
  public static final Def CAPACITY_SLOTS_NEEDED = def("emp_capacity_slots_needed", Type.GAUGE, Scope.CLUSTER,
      "Worker slots needed to keep up with arrivals and bring queue wait under the target (Little's law)",
      "gateway.JobAnalytics (CapacityModel)", L_SERVICE, L_SCOPE);
  public static final Def CAPACITY_SERVICE_TIME = def("emp_capacity_service_time_seconds", Type.GAUGE,
      Scope.CLUSTER, "Mean processing time per job over the capacity window", "gateway.JobAnalytics (CapacityModel)",
      L_SERVICE, L_SCOPE);

  // ------------------------------------------------------------------ machines

  public static final Def MACHINE_STARTUP = def("emp_machine_startup_duration_seconds", Type.GAUGE, Scope.NODE,
      "Machine start-up time: time so far while starting, the total once ready (or failed)",
      "machine.MachineMetrics (MachineBootstrap.start)", L_MACHINE);
  public static final Def MACHINE_PHASE = def("emp_machine_startup_phase_duration_seconds", Type.GAUGE,
      Scope.NODE, "Duration of each start-up phase (environment, dependencies, worker_bundle, "
          + "component_installation, services, worker_registration, telemetry)",
      "machine.MachineMetrics (MachineBootstrap.phase)", L_MACHINE, L_PHASE);
  public static final Def MACHINE_READY = def("emp_machine_ready", Type.GAUGE, Scope.NODE,
      "1 when the machine is started and every supervised service is healthy", "machine.MachineMetrics",
      L_MACHINE);
  public static final Def DOWNLOAD_BYTES = def("emp_machine_download_bytes", Type.COUNTER, Scope.NODE,
      "Bytes received by component and worker bundle downloads", "machine.MachineMetrics (ComponentInstaller)",
      L_MACHINE);
  public static final Def DOWNLOAD_DURATION = def("emp_machine_download_duration", Type.TIMER, Scope.NODE,
      "Duration of component and worker bundle downloads (speed = bytes / duration)",
      "machine.MachineMetrics (ComponentInstaller)", L_MACHINE, L_OUTCOME);
  public static final Def DOWNLOAD_SPEED = def("emp_machine_download_speed_bytes_per_second", Type.GAUGE,
      Scope.NODE, "Speed of the last download", "machine.MachineMetrics (ComponentInstaller)", L_MACHINE);
  public static final Def COMPONENT_INSTALLS = def("emp_machine_component_installs", Type.COUNTER, Scope.NODE,
      "Component installations by outcome (installed, cached, failed)",
      "machine.MachineMetrics (MachineBootstrap.components)", L_MACHINE, L_OUTCOME);
  public static final Def COMPONENT_INSTALL_DURATION = def("emp_machine_component_install_duration", Type.TIMER,
      Scope.NODE, "Duration of one component's installation (download or cache, extract, place)",
      "machine.MachineMetrics (MachineBootstrap.components)", L_MACHINE, L_OUTCOME);
  public static final Def SERVICE_READINESS = def("emp_machine_service_readiness_seconds", Type.GAUGE, Scope.NODE,
      "Time from starting a supervised service (ComfyUI, ...) to its first healthy health check",
      "machine.MachineMetrics (MachineBootstrap.services)", L_MACHINE, L_SERVICE);
  public static final Def HEALTH_CHECK = def("emp_machine_health_check_duration", Type.TIMER, Scope.NODE,
      "Response time of a supervised service's health check", "machine.MachineMetrics (MachineBootstrap.services)",
      L_MACHINE, L_SERVICE);

  // ------------------------------------------------------------------ telemetry pipeline

  public static final Def SAMPLER_KEPT_SPANS = def("emp_tail_sampler_kept_spans", Type.COUNTER, Scope.NODE,
      "Spans the tail sampler kept", "Metrics.bindTelemetry (TailSampler counters)");
  public static final Def SAMPLER_DROPPED_SPANS = def("emp_tail_sampler_dropped_spans", Type.COUNTER, Scope.NODE,
      "Spans the tail sampler dropped", "Metrics.bindTelemetry (TailSampler counters)");
  public static final Def SAMPLER_KEPT_TRACES = def("emp_tail_sampler_kept_traces", Type.COUNTER, Scope.NODE,
      "Traces the tail sampler kept", "Metrics.bindTelemetry (TailSampler counters)");
  public static final Def SAMPLER_DROPPED_TRACES = def("emp_tail_sampler_dropped_traces", Type.COUNTER,
      Scope.NODE, "Traces the tail sampler dropped", "Metrics.bindTelemetry (TailSampler counters)");
  public static final Def SAMPLER_OVERFLOW = def("emp_tail_sampler_overflow_traces", Type.COUNTER, Scope.NODE,
      "Traces decided early because the sampler's span buffer was full (telemetry gap risk)",
      "Metrics.bindTelemetry (TailSampler counters)");
  public static final Def SAMPLER_TIMED_OUT = def("emp_tail_sampler_timed_out_traces", Type.COUNTER, Scope.NODE,
      "Traces kept because no outcome came within the decision timeout",
      "Metrics.bindTelemetry (TailSampler counters)");
  public static final Def SAMPLER_LATE = def("emp_tail_sampler_late_spans", Type.COUNTER, Scope.NODE,
      "Spans that ended after their trace was decided", "Metrics.bindTelemetry (TailSampler counters)");
  public static final Def SAMPLER_BUFFERED = def("emp_tail_sampler_buffered_spans", Type.GAUGE, Scope.NODE,
      "Spans waiting in the tail sampler for their trace's outcome", "Metrics.bindTelemetry");
  public static final Def EXPORT_OFFERED = def("emp_span_export_batches_spans", Type.COUNTER, Scope.NODE,
      "Spans handed to the span exporters", "Metrics.bindTelemetry (ExportStats)");
  public static final Def EXPORT_OK = def("emp_span_export_exported_spans", Type.COUNTER, Scope.NODE,
      "Spans the exporters delivered", "Metrics.bindTelemetry (ExportStats)");
  public static final Def EXPORT_FAILED = def("emp_span_export_failed_spans", Type.COUNTER, Scope.NODE,
      "Spans the exporters failed to deliver (telemetry gap)", "Metrics.bindTelemetry (ExportStats)");
  public static final Def TRACE_STORE = def("emp_trace_store_traces", Type.GAUGE, Scope.NODE,
      "Traces held in this node's in-memory trace store", "Metrics.bindTelemetry (TraceStore)");

  /** Every family, in catalogue order. */
  public static final List<Def> ALL = Collections.unmodifiableList(new ArrayList<>(ALL_DEFS));
}
