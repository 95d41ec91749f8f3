package io.emp.jobqueue.core.model;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A stored job. Field names on the wire (Redis hash fields, JSON keys) are the constants in
 * {@link F}; both representations use the same names so nothing is translated twice.
 *
 * <p>The forty values are grouped by what they describe (what was asked, its workflow step, who
 * asked, the current run, the timestamps), so no constructor takes forty positional arguments; a
 * job is made from its hash ({@link #fromHash}), where each value is read next to its field name.
 * The flat accessors ({@code id()}, {@code attempt()}, ...) are what callers use.
 */
public record Job(Submitted submitted, WorkflowStep workflow, Origin origin, Run run, Times times) {

  /** What the client asked for. */
  public record Submitted(String id, String serviceRequired, int priority, JsonObject payload,
                          Requirements requirements, int maxRetries, Long timeoutMs, String idempotencyKey,
                          JsonObject ctx, int payloadBytes) {
  }

  /** The workflow the job is a step of (all null for a lone job). */
  public record WorkflowStep(String workflowId, Integer workflowPriority, Long workflowDatetime, Integer currentStep,
                             Integer totalSteps) {
  }

  /** Who submitted it and the trace it belongs to. */
  public record Origin(String customerId, String requestId, String clientSessionId, String correlationId,
                       TraceContext trace) {
  }

  /** Where the job is now: status, attempt, worker, progress, outcome, queue position. */
  public record Run(JobStatus status, int attempt, String workerId, Integer progress, String progressMessage,
                    JsonObject result, JsonObject lastError, JsonArray errors, String lastFailedWorker,
                    boolean cancelRequested, long priorityScore, long seq) {
  }

  /** When it was created and reached each state (epoch ms; null: not yet). */
  public record Times(long createdAt, Long assignedAt, Long startedAt, Long completedAt, Long failedAt,
                      Long cancelledAt, Long updatedAt, Long leaseUntil, Long dueAt) {
  }

  // the flat accessors callers use
  public String id() { return submitted.id(); }
  public String serviceRequired() { return submitted.serviceRequired(); }
  public int priority() { return submitted.priority(); }
  public JsonObject payload() { return submitted.payload(); }
  /** The payload's size as stored (UTF-8 bytes of its JSON), known without encoding it again. */
  public int payloadBytes() { return submitted.payloadBytes(); }
  public Requirements requirements() { return submitted.requirements(); }
  public int maxRetries() { return submitted.maxRetries(); }
  public Long timeoutMs() { return submitted.timeoutMs(); }
  public String idempotencyKey() { return submitted.idempotencyKey(); }
  public JsonObject ctx() { return submitted.ctx(); }

  public String workflowId() { return workflow.workflowId(); }
  public Integer workflowPriority() { return workflow.workflowPriority(); }
  public Long workflowDatetime() { return workflow.workflowDatetime(); }
  public Integer currentStep() { return workflow.currentStep(); }
  public Integer totalSteps() { return workflow.totalSteps(); }

  public String customerId() { return origin.customerId(); }
  public String requestId() { return origin.requestId(); }
  public String clientSessionId() { return origin.clientSessionId(); }
  public String correlationId() { return origin.correlationId(); }
  public TraceContext trace() { return origin.trace(); }

  public JobStatus status() { return run.status(); }
  public int attempt() { return run.attempt(); }
  public String workerId() { return run.workerId(); }
  public Integer progress() { return run.progress(); }
  public String progressMessage() { return run.progressMessage(); }
  public JsonObject result() { return run.result(); }
  public JsonObject lastError() { return run.lastError(); }
  public JsonArray errors() { return run.errors(); }
  public String lastFailedWorker() { return run.lastFailedWorker(); }
  public boolean cancelRequested() { return run.cancelRequested(); }
  public long priorityScore() { return run.priorityScore(); }
  public long seq() { return run.seq(); }

  public long createdAt() { return times.createdAt(); }
  public Long assignedAt() { return times.assignedAt(); }
  public Long startedAt() { return times.startedAt(); }
  public Long completedAt() { return times.completedAt(); }
  public Long failedAt() { return times.failedAt(); }
  public Long cancelledAt() { return times.cancelledAt(); }
  public Long updatedAt() { return times.updatedAt(); }
  public Long leaseUntil() { return times.leaseUntil(); }
  public Long dueAt() { return times.dueAt(); }

  /** Field names shared by the Redis hash and the JSON form. */
  public static final class F {
    public static final String ID = "id";
    public static final String SERVICE = "service_required";
    public static final String PRIORITY = "priority";
    public static final String PAYLOAD = "payload";
    public static final String REQUIREMENTS = "requirements";
    public static final String CUSTOMER = "customer_id";
    public static final String WORKFLOW = "workflow_id";
    public static final String WORKFLOW_PRIORITY = "workflow_priority";
    public static final String WORKFLOW_DATETIME = "workflow_datetime";
    public static final String CURRENT_STEP = "current_step";
    public static final String TOTAL_STEPS = "total_steps";
    public static final String MAX_RETRIES = "max_retries";
    public static final String ATTEMPT = "attempt";
    public static final String STATUS = "status";
    public static final String CTX = "ctx";
    public static final String REQUEST_ID = "request_id";
    public static final String SESSION = "client_session_id";
    public static final String CORRELATION = "correlation_id";
    public static final String TIMEOUT_MS = "timeout_ms";
    public static final String IDEMPOTENCY_KEY = "idempotency_key";
    public static final String CREATED_AT = "created_at";
    public static final String ASSIGNED_AT = "assigned_at";
    public static final String STARTED_AT = "started_at";
    public static final String COMPLETED_AT = "completed_at";
    public static final String FAILED_AT = "failed_at";
    public static final String CANCELLED_AT = "cancelled_at";
    public static final String UPDATED_AT = "updated_at";
    public static final String WORKER = "worker_id";
    public static final String PROGRESS = "progress";
    public static final String MESSAGE = "message";
    public static final String RESULT = "result";
    public static final String LAST_ERROR = "error";
    public static final String ERRORS = "errors";
    public static final String LAST_FAILED_WORKER = "last_failed_worker";
    public static final String CANCEL_REQUESTED = "cancel_requested";
    public static final String SCORE = "score";
    public static final String SEQ = "seq";
    public static final String LEASE_UNTIL = "lease_until";
    public static final String DUE_AT = "due_at";
    public static final String TOKEN = "token";
    public static final String QMEMBER = "qmember";
    /** The job's trace context (W3C), stored with the job so every event joins its trace. */
    public static final String TRACEPARENT = TraceContext.TRACEPARENT;
    public static final String TRACESTATE = TraceContext.TRACESTATE;
    public static final String BAGGAGE = TraceContext.BAGGAGE;
    /** Attempts whose lease ran out (the worker died), counted apart from max_retries. */
    public static final String LOST_ATTEMPTS = "lost_attempts";
    /** Written by an operator's retry: attempts of earlier runs, their trace ids, when it was retried. */
    public static final String PREVIOUS_ATTEMPTS = "previous_attempts";
    public static final String PREVIOUS_TRACE_IDS = "previous_trace_ids";
    public static final String RETRIED_AT = "retried_at";

    private F() {
    }
  }

  /** Retries so far (the seed's {@code job.retry_count}). */
  public int retryCount() {
    return Math.max(0, attempt() - 1);
  }

  public static Job fromHash(Map<String, String> h) {
    Submitted submitted = new Submitted(h.get(F.ID), h.get(F.SERVICE), intOr(h.get(F.PRIORITY), 0),
        obj(h.get(F.PAYLOAD)),
        h.containsKey(F.REQUIREMENTS) ? Requirements.fromJson(new JsonObject(h.get(F.REQUIREMENTS)))
            : Requirements.NONE,
        intOr(h.get(F.MAX_RETRIES), 0), longOrNull(h.get(F.TIMEOUT_MS)), h.get(F.IDEMPOTENCY_KEY),
        h.containsKey(F.CTX) ? obj(h.get(F.CTX)) : null,
        h.get(F.PAYLOAD) == null || h.get(F.PAYLOAD).isEmpty() ? 2 : JobSpecReader.utf8Length(h.get(F.PAYLOAD)));
    WorkflowStep workflow = new WorkflowStep(h.get(F.WORKFLOW), intOrNull(h.get(F.WORKFLOW_PRIORITY)),
        longOrNull(h.get(F.WORKFLOW_DATETIME)), intOrNull(h.get(F.CURRENT_STEP)), intOrNull(h.get(F.TOTAL_STEPS)));
    Origin origin = new Origin(h.get(F.CUSTOMER), h.get(F.REQUEST_ID), h.get(F.SESSION), h.get(F.CORRELATION),
        TraceContext.from(h::get));
    Run run = new Run(JobStatus.fromWire(h.get(F.STATUS)), intOr(h.get(F.ATTEMPT), 0), h.get(F.WORKER),
        intOrNull(h.get(F.PROGRESS)), h.get(F.MESSAGE), h.containsKey(F.RESULT) ? obj(h.get(F.RESULT)) : null,
        h.containsKey(F.LAST_ERROR) ? obj(h.get(F.LAST_ERROR)) : null,
        h.containsKey(F.ERRORS) ? new JsonArray(h.get(F.ERRORS)) : new JsonArray(), h.get(F.LAST_FAILED_WORKER),
        "1".equals(h.get(F.CANCEL_REQUESTED)), longOr(h.get(F.SCORE), 0), longOr(h.get(F.SEQ), 0));
    Times times = new Times(longOr(h.get(F.CREATED_AT), 0), longOrNull(h.get(F.ASSIGNED_AT)),
        longOrNull(h.get(F.STARTED_AT)), longOrNull(h.get(F.COMPLETED_AT)), longOrNull(h.get(F.FAILED_AT)),
        longOrNull(h.get(F.CANCELLED_AT)), longOrNull(h.get(F.UPDATED_AT)), longOrNull(h.get(F.LEASE_UNTIL)),
        longOrNull(h.get(F.DUE_AT)));
    return new Job(submitted, workflow, origin, run, times);
  }

  /** Public JSON view. Never contains the claim token. */
  public JsonObject toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(F.ID, id());
    m.put(F.SERVICE, serviceRequired());
    m.put(F.STATUS, status().wire());
    m.put(F.PRIORITY, priority());
    m.put(F.PAYLOAD, payload());
    if (!requirements().isEmpty()) {
      m.put(F.REQUIREMENTS, requirements().toJson());
    }
    put(m, F.CUSTOMER, customerId());
    put(m, F.WORKFLOW, workflowId());
    put(m, F.WORKFLOW_PRIORITY, workflowPriority());
    put(m, F.WORKFLOW_DATETIME, workflowDatetime());
    put(m, F.CURRENT_STEP, currentStep());
    put(m, F.TOTAL_STEPS, totalSteps());
    m.put(F.MAX_RETRIES, maxRetries());
    m.put(F.ATTEMPT, attempt());
    m.put("retry_count", retryCount());
    put(m, F.CTX, ctx());
    m.putAll(trace().toMap());
    put(m, F.REQUEST_ID, requestId());
    put(m, F.SESSION, clientSessionId());
    put(m, F.CORRELATION, correlationId());
    put(m, F.TIMEOUT_MS, timeoutMs());
    m.put(F.CREATED_AT, createdAt());
    put(m, F.ASSIGNED_AT, assignedAt());
    put(m, F.STARTED_AT, startedAt());
    put(m, F.COMPLETED_AT, completedAt());
    put(m, F.FAILED_AT, failedAt());
    put(m, F.CANCELLED_AT, cancelledAt());
    put(m, F.UPDATED_AT, updatedAt());
    put(m, F.WORKER, workerId());
    put(m, F.PROGRESS, progress());
    put(m, F.MESSAGE, progressMessage());
    put(m, F.RESULT, result());
    put(m, F.LAST_ERROR, lastError());
    if (!errors().isEmpty()) {
      m.put(F.ERRORS, errors());
    }
    put(m, F.LAST_FAILED_WORKER, lastFailedWorker());
    if (cancelRequested()) {
      m.put(F.CANCEL_REQUESTED, true);
    }
    m.put("priority_score", priorityScore());
    m.put(F.SEQ, seq());
    put(m, F.LEASE_UNTIL, leaseUntil());
    put(m, F.DUE_AT, dueAt());
    return new JsonObject(m);
  }

  private static void put(Map<String, Object> m, String k, Object v) {
    if (v != null) {
      m.put(k, v);
    }
  }

  private static JsonObject obj(String s) {
    return s == null || s.isEmpty() ? new JsonObject() : new JsonObject(s);
  }

  private static int intOr(String s, int def) {
    return s == null || s.isEmpty() ? def : (int) number(s);
  }

  private static Integer intOrNull(String s) {
    return s == null || s.isEmpty() ? null : (int) number(s);
  }

  private static long longOr(String s, long def) {
    return s == null || s.isEmpty() ? def : number(s);
  }

  private static Long longOrNull(String s) {
    return s == null || s.isEmpty() ? null : number(s);
  }

  /**
   * The stored numbers are integers written by the store; a float form ("1.0e3", from an older Lua
   * tostring) is still read. Integer parsing first: a hash is read per claim, and the float parser
   * was a measurable share of the worker's CPU (issue 16).
   */
  private static long number(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return (long) Double.parseDouble(s);
    }
  }
}
