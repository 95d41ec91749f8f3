package io.emp.jobqueue.core.model;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a job demands of the worker that runs it. Matching happens atomically inside the claim
 * script; docs/matching.md states the rules. Unknown keys are rejected at submit time so that a
 * typo never leaves a job that no worker can ever match.
 *
 * @param hardware minimums
 * @param models every listed model must be among the worker's models for the job's service
 * @param customerIsolation the isolation the job demands of the worker
 * @param attributes positive matches against the worker's free-form attributes
 * @param negative the job is refused by a worker whose attributes hold any of these values
 */
public record Requirements(Hardware hardware, List<String> models, CustomerIsolation customerIsolation,
                           Map<String, Object> attributes, Map<String, Object> negative) {
  public static final Requirements NONE =
      new Requirements(Hardware.NONE, List.of(), CustomerIsolation.NONE, Map.of(), Map.of());
  static final Set<String> FIELDS =
      Set.of("hardware", "models", "customer_isolation", "attributes", "negative");

  public Requirements {
    hardware = hardware == null ? Hardware.NONE : hardware;
    models = models == null ? List.of() : List.copyOf(models);
    customerIsolation = customerIsolation == null ? CustomerIsolation.NONE : customerIsolation;
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    negative = negative == null ? Map.of() : Map.copyOf(negative);
  }

  public static Requirements read(JsonReader r) {
    if (r == null) {
      return NONE;
    }
    r.rejectUnknown(FIELDS);
    return new Requirements(Hardware.read(r.nested("hardware")), r.stringList("models", 64, 256),
        r.enumValue("customer_isolation", CustomerIsolation.class, CustomerIsolation.NONE),
        r.scalarMap("attributes"), r.scalarMap("negative"));
  }

  public static Requirements fromJson(JsonObject json) {
    List<Problem> problems = new ArrayList<>();
    Requirements req = read(new JsonReader(json, problems, "requirements"));
    if (!problems.isEmpty()) {
      throw new ValidationException(problems);
    }
    return req;
  }

  public boolean isEmpty() {
    return hardware.isEmpty() && models.isEmpty() && customerIsolation == CustomerIsolation.NONE
        && attributes.isEmpty() && negative.isEmpty();
  }

  public JsonObject toJson() {
    JsonObject j = new JsonObject();
    if (!hardware.isEmpty()) {
      j.put("hardware", hardware.toJson());
    }
    if (!models.isEmpty()) {
      j.put("models", new JsonArray(models));
    }
    if (customerIsolation != CustomerIsolation.NONE) {
      j.put("customer_isolation", customerIsolation.wire());
    }
    if (!attributes.isEmpty()) {
      j.put("attributes", new JsonObject(Map.copyOf(attributes)));
    }
    if (!negative.isEmpty()) {
      j.put("negative", new JsonObject(Map.copyOf(negative)));
    }
    return j;
  }
}
