package io.emp.jobqueue.core.model;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** Reads and validates a client's job JSON into a {@link JobSpec} (the one place a submit is checked). */
final class JobSpecReader {
  private JobSpecReader() {
  }

  static JobSpec read(JsonObject body, JobLimits limits) {
    List<Problem> problems = new ArrayList<>();
    if (body == null) {
      throw new ValidationException(List.of(new Problem("", "required", "a JSON object body is required")));
    }
    JsonReader r = new JsonReader(body, problems, "");
    r.rejectUnknown(JobSpec.FIELDS);
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
    return new JobSpec(new JobSpec.Fields(id, idem, service,
        priority == null ? limits.defaultPriority() : priority.intValue(), payloadJson.toString(),
        req == null ? Requirements.NONE : req, customer, workflow, toInt(wfPriority), wfDatetime, toInt(step),
        toInt(steps), maxRetries == null ? limits.defaultMaxRetries() : maxRetries.intValue(),
        ctxJson == null ? null : ctxJson.toString(), requestId, session, correlation, timeout, trace), limits);
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

  /** UTF-8 length of {@code s} without encoding it (what the payload limit applies to). */
  static int utf8Length(String s) {
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
}
