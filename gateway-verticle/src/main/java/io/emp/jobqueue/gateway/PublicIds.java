package io.emp.jobqueue.gateway;

import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.model.JobIds;
import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.core.model.ValidationException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.UUID;

/**
 * The one translation between the ids a caller uses and the stored ids (docs/decisions.md,
 * "Customer-scoped job ids"). Every job and workflow of a customer C is stored as {@code C~name},
 * where name is what the client chose (or a UUID). A client of C names them by {@code name} alone,
 * in and out; an admin uses stored ids unchanged. Pure functions of (caller, id): no lookup, so HTTP
 * and WebSocket translate alike and nothing can disagree with Redis.
 */
final class PublicIds {
  private PublicIds() {
  }

  /** The stored job id a caller means; null when {@code id} cannot name a job the caller may see. */
  static String job(Principal who, String id) {
    return inbound(who, id, JobIds.MAX_JOB_NAME);
  }

  /** The stored workflow id a caller means; null when {@code id} cannot name one of the caller's workflows. */
  static String workflow(Principal who, String id) {
    return inbound(who, id, JobIds.MAX_WORKFLOW_NAME);
  }

  private static String inbound(Principal who, String id, int maxName) {
    if (who.admin()) {
      return JobIds.isStored(id, maxName) ? id : null;
    }
    return JobIds.isName(id, maxName) ? JobIds.scoped(who.customerId(), id) : null;
  }

  /** The stored id of a new job or workflow of {@code customer} (null: not bound to a customer). */
  static String forSubmit(String customer, String name) {
    String n = name != null ? name : UUID.randomUUID().toString();
    return customer == null ? name : JobIds.scoped(customer, n);
  }

  /** What the caller sees of a stored id. */
  static String out(Principal who, String stored) {
    if (who == null || who.admin() || stored == null) {
      return stored;
    }
    String name = JobIds.nameIn(who.customerId(), stored);
    return name != null ? name : stored;
  }

  /** A job as JSON, with its id, workflow id and idempotency key as the caller knows them (changed in place). */
  static JsonObject jobJson(Principal who, JsonObject job) {
    if (who == null || who.admin()) {
      return job;
    }
    replace(job, Job.F.ID, who);
    replace(job, Job.F.WORKFLOW, who);
    // The gateway keeps idempotency keys as "<customer>/<key>" (see JobAccess.submit).
    if (job.getValue(Job.F.IDEMPOTENCY_KEY) instanceof String k && k.startsWith(who.customerId() + "/")) {
      job.put(Job.F.IDEMPOTENCY_KEY, k.substring(who.customerId().length() + 1));
    }
    return job;
  }

  /** A job event message (changed in place). */
  static JsonObject eventJson(Principal who, JsonObject event) {
    if (who != null && !who.admin()) {
      replace(event, "job_id", who);
    }
    return event;
  }

  /** A span tree of {@code TraceStore.treeJson}: attribute values that are stored ids (changed in place). */
  static JsonObject traceJson(Principal who, JsonObject tree) {
    if (who == null || who.admin()) {
      return tree;
    }
    for (Object root : tree.getJsonArray("roots", new JsonArray())) {
      spanJson(who, (JsonObject) root);
    }
    return tree;
  }

  private static void spanJson(Principal who, JsonObject span) {
    attributes(who, span.getJsonObject("attributes"));
    for (Object e : span.getJsonArray("events", new JsonArray())) {
      attributes(who, ((JsonObject) e).getJsonObject("attributes"));
    }
    for (Object child : span.getJsonArray("children", new JsonArray())) {
      spanJson(who, (JsonObject) child);
    }
  }

  private static void attributes(Principal who, JsonObject attrs) {
    if (attrs == null) {
      return;
    }
    for (String k : List.copyOf(attrs.fieldNames())) {
      if (attrs.getValue(k) instanceof String s) {
        attrs.put(k, out(who, s));
      }
    }
  }

  /**
   * A failure as the caller may see it: messages that quote a stored id of the caller's own
   * customer quote the name instead (e.g. "job C~x is already completed" from the queue).
   */
  static Throwable failure(Principal who, Throwable err) {
    if (who == null || who.admin() || !(err instanceof JobQueueException e) || err instanceof ValidationException
        || e.getMessage() == null) {
      return err;
    }
    String prefix = who.customerId() + JobIds.SEPARATOR;
    return e.getMessage().contains(prefix)
        ? new JobQueueException(e.code(), e.getMessage().replace(prefix, "")) : err;
  }

  private static void replace(JsonObject j, String field, Principal who) {
    if (j.getValue(field) instanceof String s) {
      j.put(field, out(who, s));
    }
  }
}
