package io.emp.jobqueue.core.model;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
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
    return utf8Length(f.payloadJson());
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
    // the one encoding of the payload: its size is checked here and the store writes this string
    Buffer payloadJson = (payload == null ? new JsonObject() : payload).toBuffer();
    if (payloadJson.length() > limits.maxPayloadBytes()) {
      r.problem("payload", "too_large", "is " + payloadJson.length() + " bytes; the limit is "
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
    Buffer ctxJson = ctx == null ? null : ctx.toBuffer();
    if (ctxJson != null && ctxJson.length() > limits.maxCtxBytes()) {
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
    return new JobSpec(new Fields(id, idem, service,
        priority == null ? limits.defaultPriority() : priority.intValue(), payloadJson.toString(),
        req == null ? Requirements.NONE : req, customer, workflow, toInt(wfPriority), wfDatetime, toInt(step),
        toInt(steps), maxRetries == null ? limits.defaultMaxRetries() : maxRetries.intValue(),
        ctxJson == null ? null : ctxJson.toString(), requestId, session, correlation, timeout, trace), limits);
  }

  /** The JSON form {@link #fromJson} accepts; absent values are left out. */
  public JsonObject toJson() {
    JsonObject j = new JsonObject();
    putIf(j, "id", f.id());
    putIf(j, "idempotency_key", f.idempotencyKey());
    putIf(j, "service_required", f.serviceRequired());
    j.put("priority", f.priority());
    j.put("payload", payload());
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
    putIf(j, "ctx", ctx());
    putIf(j, "request_id", f.requestId());
    putIf(j, "client_session_id", f.clientSessionId());
    putIf(j, "correlation_id", f.correlationId());
    putIf(j, "timeout_ms", f.timeoutMs());
    f.trace().toMap().forEach(j::put);
    return j;
  }

  /**
   * The form {@link JobSpecCodec} sends between nodes: the fields with payload and ctx as their one
   * encoding, and the limits they were validated against.
   */
  JsonObject toWire() {
    JsonObject j = new JsonObject();
    putIf(j, "id", f.id());
    putIf(j, "idempotency_key", f.idempotencyKey());
    j.put("service_required", f.serviceRequired()).put("priority", f.priority()).put("payload_json", f.payloadJson());
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
    putIf(j, "ctx_json", f.ctxJson());
    putIf(j, "request_id", f.requestId());
    putIf(j, "client_session_id", f.clientSessionId());
    putIf(j, "correlation_id", f.correlationId());
    putIf(j, "timeout_ms", f.timeoutMs());
    f.trace().toMap().forEach(j::put);
    j.put("limits", new JsonObject().put("max_payload_bytes", limits.maxPayloadBytes())
        .put("max_priority", limits.maxPriority()).put("default_priority", limits.defaultPriority())
        .put("default_max_retries", limits.defaultMaxRetries()).put("max_max_retries", limits.maxMaxRetries())
        .put("max_ctx_bytes", limits.maxCtxBytes()));
    return j;
  }

  /** Reads {@link #toWire}: a spec another node validated, taken as it is (the bus is the cluster's own). */
  static JobSpec fromWire(JsonObject j) {
    JsonObject l = j.getJsonObject("limits");
    JobLimits limits = new JobLimits(l.getInteger("max_payload_bytes"), l.getInteger("max_priority"),
        l.getInteger("default_priority"), l.getInteger("default_max_retries"), l.getInteger("max_max_retries"),
        l.getInteger("max_ctx_bytes"));
    JsonObject req = j.getJsonObject("requirements");
    List<Problem> problems = new ArrayList<>();
    Requirements requirements = req == null ? Requirements.NONE
        : Requirements.read(new JsonReader(req, problems, "requirements"));
    if (!problems.isEmpty()) {
      throw new ValidationException(problems);
    }
    return new JobSpec(new Fields(j.getString("id"), j.getString("idempotency_key"), j.getString("service_required"),
        j.getInteger("priority"), j.getString("payload_json"), requirements, j.getString("customer_id"),
        j.getString("workflow_id"), j.getInteger("workflow_priority"), j.getLong("workflow_datetime"),
        j.getInteger("current_step"), j.getInteger("total_steps"), j.getInteger("max_retries"),
        j.getString("ctx_json"), j.getString("request_id"), j.getString("client_session_id"),
        j.getString("correlation_id"), j.getLong("timeout_ms"), TraceContext.from(j::getString)), limits);
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

  private static int utf8Length(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c)) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  private static Integer toInt(Long l) {
    return l == null ? null : l.intValue();
  }
}
