package io.emp.jobqueue.core.model;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a worker offers. Sent with every claim; the claim script matches jobs against it.
 *
 * @param services the service types this worker runs (one pending queue each)
 * @param models service -> models available for it
 * @param workflowId when set, the worker is pinned to that workflow and takes only its steps
 * @param attributes free-form facts (region, gpu model, tags) that job attribute/negative requirements test
 */
public record WorkerCapabilities(String workerId, String machineId, List<String> services, Hardware hardware,
                                 Map<String, List<String>> models, CustomerIsolation customerIsolation,
                                 List<String> allowedCustomers, List<String> deniedCustomers,
                                 String workflowId, Map<String, Object> attributes) {
  static final Set<String> FIELDS = Set.of("worker_id", "machine_id", "services", "hardware", "models",
      "customer_isolation", "allowed_customers", "denied_customers", "workflow_id", "attributes");

  public WorkerCapabilities {
    services = List.copyOf(services);
    hardware = hardware == null ? Hardware.NONE : hardware;
    models = models == null ? Map.of() : Map.copyOf(models);
    customerIsolation = customerIsolation == null ? CustomerIsolation.NONE : customerIsolation;
    allowedCustomers = allowedCustomers == null ? List.of() : List.copyOf(allowedCustomers);
    deniedCustomers = deniedCustomers == null ? List.of() : List.copyOf(deniedCustomers);
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
  }

  public static WorkerCapabilities of(String workerId, String... services) {
    return new WorkerCapabilities(workerId, null, List.of(services), Hardware.NONE, Map.of(),
        CustomerIsolation.NONE, List.of(), List.of(), null, Map.of());
  }

  public WorkerCapabilities withHardware(Hardware h) {
    return new WorkerCapabilities(workerId, machineId, services, h, models, customerIsolation,
        allowedCustomers, deniedCustomers, workflowId, attributes);
  }

  public WorkerCapabilities withModels(Map<String, List<String>> m) {
    return new WorkerCapabilities(workerId, machineId, services, hardware, m, customerIsolation,
        allowedCustomers, deniedCustomers, workflowId, attributes);
  }

  public WorkerCapabilities withIsolation(CustomerIsolation iso, List<String> allowed, List<String> denied) {
    return new WorkerCapabilities(workerId, machineId, services, hardware, models, iso, allowed, denied,
        workflowId, attributes);
  }

  public WorkerCapabilities withWorkflow(String wf) {
    return new WorkerCapabilities(workerId, machineId, services, hardware, models, customerIsolation,
        allowedCustomers, deniedCustomers, wf, attributes);
  }

  public WorkerCapabilities withAttributes(Map<String, Object> attrs) {
    return new WorkerCapabilities(workerId, machineId, services, hardware, models, customerIsolation,
        allowedCustomers, deniedCustomers, workflowId, attrs);
  }

  public WorkerCapabilities withMachine(String machine) {
    return new WorkerCapabilities(workerId, machine, services, hardware, models, customerIsolation,
        allowedCustomers, deniedCustomers, workflowId, attributes);
  }

  /** True when nothing beyond the service list constrains matching: the claim script's fast path. */
  public boolean isServiceOnly() {
    return hardware.isEmpty() && models.isEmpty() && customerIsolation == CustomerIsolation.NONE
        && allowedCustomers.isEmpty() && deniedCustomers.isEmpty() && workflowId == null && attributes.isEmpty();
  }

  public static WorkerCapabilities fromJson(JsonObject json) {
    List<Problem> problems = new ArrayList<>();
    JsonReader r = new JsonReader(json, problems, "");
    r.rejectUnknown(FIELDS);
    String id = r.identifier("worker_id", true, 200);
    List<String> services = r.stringList("services", 64, 100);
    if (services.isEmpty() && problems.isEmpty()) {
      r.problem("services", "required", "at least one service is required");
    }
    Map<String, List<String>> models = new LinkedHashMap<>();
    JsonReader mr = r.nested("models");
    if (mr != null) {
      for (String svc : json.getJsonObject("models").fieldNames()) {
        models.put(svc, mr.stringList(svc, 10_000, 256));
      }
    }
    WorkerCapabilities caps = new WorkerCapabilities(id, r.identifier("machine_id", false, 200), services,
        Hardware.read(r.nested("hardware")), models,
        r.enumValue("customer_isolation", CustomerIsolation.class, CustomerIsolation.NONE),
        r.stringList("allowed_customers", 10_000, 200), r.stringList("denied_customers", 10_000, 200),
        r.identifier("workflow_id", false, 200), r.scalarMap("attributes"));
    if (!problems.isEmpty()) {
      throw new ValidationException(problems);
    }
    return caps;
  }

  public JsonObject toJson() {
    JsonObject j = new JsonObject().put("worker_id", workerId).put("services", new JsonArray(services));
    if (machineId != null) {
      j.put("machine_id", machineId);
    }
    if (!hardware.isEmpty()) {
      j.put("hardware", hardware.toJson());
    }
    if (!models.isEmpty()) {
      JsonObject m = new JsonObject();
      models.forEach((k, v) -> m.put(k, new JsonArray(v)));
      j.put("models", m);
    }
    if (customerIsolation != CustomerIsolation.NONE) {
      j.put("customer_isolation", customerIsolation.wire());
    }
    if (!allowedCustomers.isEmpty()) {
      j.put("allowed_customers", new JsonArray(allowedCustomers));
    }
    if (!deniedCustomers.isEmpty()) {
      j.put("denied_customers", new JsonArray(deniedCustomers));
    }
    if (workflowId != null) {
      j.put("workflow_id", workflowId);
    }
    if (!attributes.isEmpty()) {
      j.put("attributes", new JsonObject(Map.copyOf(attributes)));
    }
    return j;
  }
}
