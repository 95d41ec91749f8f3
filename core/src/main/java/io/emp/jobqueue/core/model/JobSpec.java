package io.emp.jobqueue.core.model;

import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * A job as a client submits it (the reference's fields plus the seed's tracing fields), validated.
 *
 * <p>The only ways to get one are {@link #fromJson} (which validates everything against the node's
 * {@link JobLimits} and reports every problem at once), {@link #of} and the withers (which go through
 * {@code fromJson} again), and the event-bus codec ({@link JobSpecCodec}), which carries a spec some
 * node already validated. So a {@code JobSpec} cannot be invalid: the gateway validates once at the
 * edge and the queue and the store take it as it is. The payload and ctx are encoded to JSON once,
 * here; the store writes those strings.
 */
public final class JobSpec {
  static final Set<String> FIELDS = Set.of("id", "idempotency_key", "service_required", "job_type", "type",
      "priority", "payload", "requirements", "customer_id", "workflow_id", "workflow_priority",
      "workflow_datetime", "current_step", "total_steps", "max_retries", "ctx", "request_id",
      "client_session_id", "correlation_id", "timeout_ms", "traceparent", "tracestate", "baggage");

  /** The values; a record for equality. Payload and ctx are their JSON encodings. */
  record Fields(String id, String idempotencyKey, String serviceRequired, int priority, String payloadJson,
                Requirements requirements, String customerId, String workflowId, Integer workflowPriority,
                Long workflowDatetime, Integer currentStep, Integer totalSteps, int maxRetries, String ctxJson,
                String requestId, String clientSessionId, String correlationId, Long timeoutMs,
                TraceContext trace) {
  }

  private final Fields f;
  /** The limits this spec was validated against; the withers validate against them again. */
  private final JobLimits limits;

  JobSpec(Fields f, JobLimits limits) {
    this.f = f;
    this.limits = limits;
  }

  /** Minimal spec, for code and tests; validated against {@link JobLimits#DEFAULTS}. */
  public static JobSpec of(String service, int priority, JsonObject payload) {
    JsonObject j = new JsonObject().put("service_required", service).put("priority", priority);
    if (payload != null) {
      j.put("payload", payload);
    }
    return fromJson(j, JobLimits.DEFAULTS);
  }

  public String id() {
    return f.id();
  }

  public String idempotencyKey() {
    return f.idempotencyKey();
  }

  public String serviceRequired() {
    return f.serviceRequired();
  }

  public int priority() {
    return f.priority();
  }

  /** A copy of the payload (decoded from its one encoding: the spec stays as validated). */
  public JsonObject payload() {
    return new JsonObject(f.payloadJson());
  }

  /** The payload as the JSON the store writes. */
  public String payloadJson() {
    return f.payloadJson();
  }

  /** Size of the encoded payload in bytes (UTF-8), what the limit applies to. */
  public int payloadBytes() {
    return JobSpecReader.utf8Length(f.payloadJson());
  }

  public Requirements requirements() {
    return f.requirements();
  }

  public String customerId() {
    return f.customerId();
  }

  public String workflowId() {
    return f.workflowId();
  }

  public Integer workflowPriority() {
    return f.workflowPriority();
  }

  public Long workflowDatetime() {
    return f.workflowDatetime();
  }

  public Integer currentStep() {
    return f.currentStep();
  }

  public Integer totalSteps() {
    return f.totalSteps();
  }

  public int maxRetries() {
    return f.maxRetries();
  }

  /** A copy of the ctx, or null. */
  public JsonObject ctx() {
    return f.ctxJson() == null ? null : new JsonObject(f.ctxJson());
  }

  /** The ctx as the JSON the store writes, or null. */
  public String ctxJson() {
    return f.ctxJson();
  }

  public String requestId() {
    return f.requestId();
  }

  public String clientSessionId() {
    return f.clientSessionId();
  }

  public String correlationId() {
    return f.correlationId();
  }

  public Long timeoutMs() {
    return f.timeoutMs();
  }

  public TraceContext trace() {
    return f.trace();
  }

  public JobSpec withId(String newId) {
    return revalidated(j -> put(j, "id", newId));
  }

  /**
   * The same job carrying {@code tc} (the submitting span's context). Not validated again: a
   * {@link TraceContext} keeps only a valid traceparent.
   */
  public JobSpec withTrace(TraceContext tc) {
    Fields x = f;
    return new JobSpec(new Fields(x.id(), x.idempotencyKey(), x.serviceRequired(), x.priority(), x.payloadJson(),
        x.requirements(), x.customerId(), x.workflowId(), x.workflowPriority(), x.workflowDatetime(),
        x.currentStep(), x.totalSteps(), x.maxRetries(), x.ctxJson(), x.requestId(), x.clientSessionId(),
        x.correlationId(), x.timeoutMs(), tc == null ? TraceContext.EMPTY : tc), limits);
  }

  public JobSpec withRequirements(Requirements r) {
    return revalidated(j -> {
      j.remove("requirements");
      if (r != null && !r.isEmpty()) {
        j.put("requirements", r.toJson());
      }
    });
  }

  public JobSpec withCustomer(String customer) {
    return revalidated(j -> put(j, "customer_id", customer));
  }

  public JobSpec withWorkflow(String wf, Integer wfPriority, Long wfDatetime, Integer step, Integer steps) {
    return revalidated(j -> {
      put(j, "workflow_id", wf);
      put(j, "workflow_priority", wfPriority);
      put(j, "workflow_datetime", wfDatetime);
      put(j, "current_step", step);
      put(j, "total_steps", steps);
    });
  }

  public JobSpec withMaxRetries(int retries) {
    return revalidated(j -> j.put("max_retries", retries));
  }

  public JobSpec withIdempotencyKey(String key) {
    return revalidated(j -> put(j, "idempotency_key", key));
  }

  /** A changed copy goes through {@link #fromJson} again, against the limits this one was validated with. */
  private JobSpec revalidated(java.util.function.Consumer<JsonObject> change) {
    JsonObject j = toJson();
    change.accept(j);
    return fromJson(j, limits);
  }

  private static void put(JsonObject j, String k, Object v) {
    if (v == null) {
      j.remove(k);
    } else {
      j.put(k, v);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof JobSpec s && s.f.equals(f);
  }

  @Override
  public int hashCode() {
    return f.hashCode();
  }

  @Override
  public String toString() {
    return "JobSpec[id=" + f.id() + ", service=" + f.serviceRequired() + ", priority=" + f.priority()
        + ", payloadBytes=" + payloadBytes() + "]";
  }

  /** Priority that orders the queue: a workflow step inherits its workflow's priority. */
  public int effectivePriority() {
    return f.workflowPriority() != null ? f.workflowPriority() : f.priority();
  }

  /** Time that orders the queue within a priority: a workflow step inherits its workflow's datetime. */
  public long effectiveTime(long createdAtMs) {
    return f.workflowDatetime() != null ? f.workflowDatetime() : createdAtMs;
  }

  /**
   * A spec from a client's JSON, validated against {@code limits}: every problem is reported at once
   * ({@link ValidationException}), nothing half-valid is ever made.
   */
  public static JobSpec fromJson(JsonObject body, JobLimits limits) {
    return JobSpecReader.read(body, limits);
  }

  /** The fields as validated, for the wire form ({@link JobSpecCodec}). */
  Fields fields() {
    return f;
  }

  /** The limits this spec was validated against. */
  JobLimits limits() {
    return limits;
  }

  /** The JSON form {@link #fromJson} accepts; absent values are left out. */
  public JsonObject toJson() {
    return json(false);
  }

  /**
   * The fields as JSON; {@code encoded}: payload and ctx as their one encoding ({@code payload_json},
   * {@code ctx_json}), the form {@link JobSpecCodec} sends between nodes.
   */
  JsonObject json(boolean encoded) {
    JsonObject j = new JsonObject();
    putIf(j, "id", f.id());
    putIf(j, "idempotency_key", f.idempotencyKey());
    putIf(j, "service_required", f.serviceRequired());
    j.put("priority", f.priority());
    if (encoded) {
      j.put("payload_json", f.payloadJson());
    } else {
      j.put("payload", payload());
    }
    if (!f.requirements().isEmpty()) {
      j.put("requirements", f.requirements().toJson());
    }
    putIf(j, "customer_id", f.customerId());
    putIf(j, "workflow_id", f.workflowId());
    putIf(j, "workflow_priority", f.workflowPriority());
    putIf(j, "workflow_datetime", f.workflowDatetime());
    putIf(j, "current_step", f.currentStep());
    putIf(j, "total_steps", f.totalSteps());
    j.put("max_retries", f.maxRetries());
    if (encoded) {
      putIf(j, "ctx_json", f.ctxJson());
    } else {
      putIf(j, "ctx", ctx());
    }
    putIf(j, "request_id", f.requestId());
    putIf(j, "client_session_id", f.clientSessionId());
    putIf(j, "correlation_id", f.correlationId());
    putIf(j, "timeout_ms", f.timeoutMs());
    f.trace().toMap().forEach(j::put);
    return j;
  }

  private static void putIf(JsonObject j, String k, Object v) {
    if (v != null) {
      j.put(k, v);
    }
  }
}
