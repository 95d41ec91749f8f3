package io.emp.jobqueue.core.model;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Carries a validated {@link JobSpec} over the event bus, so the queue takes the spec the gateway
 * validated instead of validating a JSON body again. In one JVM the spec itself is handed over (it
 * is immutable); between nodes it travels as {@link #toWire}.
 */
public final class JobSpecCodec implements MessageCodec<JobSpec, JobSpec> {
  public static final String NAME = "emp.job-spec";

  /** Registers the codecs of {@link JobSpec} and {@link JobBatch} as their defaults on {@code vertx}, once. */
  public static synchronized void register(Vertx vertx) {
    try {
      vertx.eventBus().registerDefaultCodec(JobSpec.class, new JobSpecCodec());
    } catch (IllegalStateException alreadyRegistered) {
      // the queue and its clients share one Vert.x: whoever comes second finds it there
    }
    try {
      vertx.eventBus().registerDefaultCodec(JobBatch.class, new JobBatchCodec());
    } catch (IllegalStateException alreadyRegistered) {
      // as above
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, JobSpec spec) {
    Buffer json = toWire(spec).toBuffer();
    buffer.appendInt(json.length()).appendBuffer(json);
  }

  @Override
  public JobSpec decodeFromWire(int pos, Buffer buffer) {
    int len = buffer.getInt(pos);
    return fromWire(new JsonObject(buffer.getBuffer(pos + 4, pos + 4 + len)));
  }

  @Override
  public JobSpec transform(JobSpec spec) {
    return spec;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }

  /**
   * The form sent between nodes: the fields with payload and ctx as their one
   * encoding, and the limits they were validated against.
   */
  static JsonObject toWire(JobSpec spec) {
    JobLimits limits = spec.limits();
    JsonObject j = spec.json(true);
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
    return new JobSpec(new JobSpec.Fields(j.getString("id"), j.getString("idempotency_key"), j.getString("service_required"),
        j.getInteger("priority"), j.getString("payload_json"), requirements, j.getString("customer_id"),
        j.getString("workflow_id"), j.getInteger("workflow_priority"), j.getLong("workflow_datetime"),
        j.getInteger("current_step"), j.getInteger("total_steps"), j.getInteger("max_retries"),
        j.getString("ctx_json"), j.getString("request_id"), j.getString("client_session_id"),
        j.getString("correlation_id"), j.getLong("timeout_ms"), TraceContext.from(j::getString)), limits);
  }
}
