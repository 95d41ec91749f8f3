package io.emp.jobqueue.core.model;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A job as a client submits it (the reference's fields plus the seed's tracing fields).
 * {@link #fromJson} validates everything and reports every problem at once.
 */
public record JobSpec(String id, String idempotencyKey, String serviceRequired, int priority, JsonObject payload,
                      Requirements requirements, String customerId, String workflowId, Integer workflowPriority,
                      Long workflowDatetime, Integer currentStep, Integer totalSteps, int maxRetries,
                      JsonObject ctx, String requestId, String clientSessionId, String correlationId,
                      Long timeoutMs, TraceContext trace) {

  static final Set<String> FIELDS = Set.of("id", "idempotency_key", "service_required", "job_type", "type",
      "priority", "payload", "requirements", "customer_id", "workflow_id", "workflow_priority",
      "workflow_datetime", "current_step", "total_steps", "max_retries", "ctx", "request_id",
      "client_session_id", "correlation_id", "timeout_ms", "traceparent", "tracestate", "baggage");

  public JobSpec {
    payload = payload == null ? new JsonObject() : payload;
    requirements = requirements == null ? Requirements.NONE : requirements;
    trace = trace == null ? TraceContext.EMPTY : trace;
  }

  /** Minimal spec, for code and tests. */
  public static JobSpec of(String service, int priority, JsonObject payload) {
    return new JobSpec(null, null, service, priority, payload, Requirements.NONE, null, null, null, null, null,
        null, JobLimits.DEFAULT_MAX_RETRIES, null, null, null, null, null, TraceContext.EMPTY);
  }

  public JobSpec withId(String newId) {
    return new JobSpec(newId, idempotencyKey, serviceRequired, priority, payload, requirements, customerId,
        workflowId, workflowPriority, workflowDatetime, currentStep, totalSteps, maxRetries, ctx, requestId,
        clientSessionId, correlationId, timeoutMs, trace);
  }

  public JobSpec withTrace(TraceContext tc) {
    return new JobSpec(id, idempotencyKey, serviceRequired, priority, payload, requirements, customerId,
        workflowId, workflowPriority, workflowDatetime, currentStep, totalSteps, maxRetries, ctx, requestId,
        clientSessionId, correlationId, timeoutMs, tc);
  }

  public JobSpec withRequirements(Requirements r) {
    return new JobSpec(id, idempotencyKey, serviceRequired, priority, payload, r, customerId,
        workflowId, workflowPriority, workflowDatetime, currentStep, totalSteps, maxRetries, ctx, requestId,
        clientSessionId, correlationId, timeoutMs, trace);
  }

  public JobSpec withCustomer(String customer) {
    return new JobSpec(id, idempotencyKey, serviceRequired, priority, payload, requirements, customer,
        workflowId, workflowPriority, workflowDatetime, currentStep, totalSteps, maxRetries, ctx, requestId,
        clientSessionId, correlationId, timeoutMs, trace);
  }

  public JobSpec withWorkflow(String wf, Integer wfPriority, Long wfDatetime, Integer step, Integer steps) {
    return new JobSpec(id, idempotencyKey, serviceRequired, priority, payload, requirements, customerId,
        wf, wfPriority, wfDatetime, step, steps, maxRetries, ctx, requestId,
        clientSessionId, correlationId, timeoutMs, trace);
  }

  public JobSpec withMaxRetries(int retries) {
    return new JobSpec(id, idempotencyKey, serviceRequired, priority, payload, requirements, customerId,
        workflowId, workflowPriority, workflowDatetime, currentStep, totalSteps, retries, ctx, requestId,
        clientSessionId, correlationId, timeoutMs, trace);
  }

  public JobSpec withIdempotencyKey(String key) {
    return new JobSpec(id, key, serviceRequired, priority, payload, requirements, customerId,
        workflowId, workflowPriority, workflowDatetime, currentStep, totalSteps, maxRetries, ctx, requestId,
        clientSessionId, correlationId, timeoutMs, trace);
  }

  /** Priority that orders the queue: a workflow step inherits its workflow's priority. */
  public int effectivePriority() {
    return workflowPriority != null ? workflowPriority : priority;
  }

  /** Time that orders the queue within a priority: a workflow step inherits its workflow's datetime. */
  public long effectiveTime(long createdAtMs) {
    return workflowDatetime != null ? workflowDatetime : createdAtMs;
  }

  public static JobSpec fromJson(JsonObject body, JobLimits limits) {
    List<Problem> problems = new ArrayList<>();
    if (body == null) {
      throw new ValidationException(List.of(new Problem("", "required", "a JSON object body is required")));
    }
    JsonReader r = new JsonReader(body, problems, "");
    r.rejectUnknown(FIELDS);
    String id = storedId(r, "id", JobIds.MAX_JOB_NAME);
    String idem = r.string("idempotency_key", false, 256);
    String service = firstPresent(r, "service_required", "job_type", "type");
    Long priority = r.integer("priority", 0, limits.maxPriority());
    JsonObject payload = r.object("payload");
    if (payload != null && payload.toBuffer().length() > limits.maxPayloadBytes()) {
      r.problem("payload", "too_large", "is " + payload.toBuffer().length() + " bytes; the limit is "
          + limits.maxPayloadBytes());
    }
    Requirements req = Requirements.read(r.nested("requirements"));
    String customer = r.identifier("customer_id", false, 200);
    String workflow = storedId(r, "workflow_id", JobIds.MAX_WORKFLOW_NAME);
    Long wfPriority = r.integer("workflow_priority", 0, limits.maxPriority());
    Long wfDatetime = r.integer("workflow_datetime", 0, PriorityScore.band() - 1);
    Long step = r.integer("current_step", 0, 100_000);
    Long steps = r.integer("total_steps", 1, 100_000);
    if (step != null && steps != null && step > steps) {
      r.problem("current_step", "range", "must not exceed total_steps");
    }
    if ((wfPriority != null || wfDatetime != null || step != null) && workflow == null && !r.has("workflow_id")) {
      r.problem("workflow_id", "required", "is required when workflow_priority, workflow_datetime or current_step is set");
    }
    Long maxRetries = r.integer("max_retries", 0, limits.maxMaxRetries());
    JsonObject ctx = r.object("ctx");
    if (ctx != null && ctx.toBuffer().length() > limits.maxCtxBytes()) {
      r.problem("ctx", "too_large", "must be at most " + limits.maxCtxBytes() + " bytes");
    }
    String requestId = r.string("request_id", false, 200);
    String session = r.string("client_session_id", false, 200);
    String correlation = r.string("correlation_id", false, 200);
    Long timeout = r.integer("timeout_ms", 1, 7L * 24 * 3600 * 1000);
    String tp = r.string("traceparent", false, 55);
    if (tp != null && !TraceContext.isValidTraceparent(tp)) {
      r.problem("traceparent", "format", "must be a W3C traceparent (00-<32 hex>-<16 hex>-<2 hex>)");
    }
    TraceContext trace = new TraceContext(tp, r.string("tracestate", false, 512), r.string("baggage", false, 8192));
    if (!problems.isEmpty()) {
      throw new ValidationException(problems);
    }
    return new JobSpec(id, idem, service, priority == null ? limits.defaultPriority() : priority.intValue(),
        payload, req, customer, workflow, toInt(wfPriority), wfDatetime, toInt(step), toInt(steps),
        maxRetries == null ? limits.defaultMaxRetries() : maxRetries.intValue(), ctx, requestId, session,
        correlation, timeout, trace);
  }

  /** The JSON form {@link #fromJson} accepts; absent values are left out. */
  public JsonObject toJson() {
    JsonObject j = new JsonObject();
    putIf(j, "id", id);
    putIf(j, "idempotency_key", idempotencyKey);
    putIf(j, "service_required", serviceRequired);
    j.put("priority", priority);
    j.put("payload", payload);
    if (!requirements.isEmpty()) {
      j.put("requirements", requirements.toJson());
    }
    putIf(j, "customer_id", customerId);
    putIf(j, "workflow_id", workflowId);
    putIf(j, "workflow_priority", workflowPriority);
    putIf(j, "workflow_datetime", workflowDatetime);
    putIf(j, "current_step", currentStep);
    putIf(j, "total_steps", totalSteps);
    j.put("max_retries", maxRetries);
    putIf(j, "ctx", ctx);
    putIf(j, "request_id", requestId);
    putIf(j, "client_session_id", clientSessionId);
    putIf(j, "correlation_id", correlationId);
    putIf(j, "timeout_ms", timeoutMs);
    trace.toMap().forEach(j::put);
    return j;
  }

  private static void putIf(JsonObject j, String k, Object v) {
    if (v != null) {
      j.put(k, v);
    }
  }

  /** A name, or a customer-scoped name (the gateway scopes what clients choose, see {@link JobIds}). */
  private static String storedId(JsonReader r, String name, int maxName) {
    String s = r.string(name, false, JobIds.maxStoredLength(maxName));
    if (s != null && !JobIds.isStored(s, maxName)) {
      r.problem(name, "format", "may contain only letters, digits, '-', '_' and '.' (at most " + maxName + ")");
      return null;
    }
    return s;
  }

  private static String firstPresent(JsonReader r, String... names) {
    for (String n : names) {
      if (r.has(n)) {
        return r.identifier(n, true, 100);
      }
    }
    r.problem(names[0], "required", "is required (the service type that runs this job)");
    return null;
  }

  private static Integer toInt(Long l) {
    return l == null ? null : l.intValue();
  }
}
