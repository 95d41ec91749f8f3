package io.emp.jobqueue.machine;

import io.emp.jobqueue.core.model.Problem;
import io.emp.jobqueue.core.model.ValidationException;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A machine profile (conf/machines/*.json), validated once: which workers to run, what to install,
 * which services to supervise and how to report telemetry. {@link #fromJson} reports every bad
 * field at once, each named by its path (e.g. {@code components[1].sha256}).
 */
public record MachineProfile(String name, String machineType, String workers, WorkerSpec workerSpec,
                             Set<String> gpuBoundTypes, Map<String, String> variables, List<String> secrets,
                             List<String> directories, Installation installation, List<ComponentSpec> components,
                             List<ServiceSpec> services, TelemetrySettings telemetry) {
  public static final Set<String> DEFAULT_GPU_BOUND_TYPES = Set.of("comfyui", "a1111", "ollama");
  static final Set<String> FIELDS = Set.of("name", "extends", "description", "machine_type", "workers",
      "gpu_bound_types", "environment", "installation", "components", "services", "telemetry");

  /** How components are installed. */
  public record Installation(boolean parallel, int maxConcurrent) {
    public static final int DEFAULT_MAX_CONCURRENT = 4;

    public String strategy() {
      return parallel ? "parallel" : "sequential";
    }

    public int effectiveConcurrency() {
      return parallel ? maxConcurrent : 1;
    }
  }

  /** In-process telemetry settings: the exporter and otel.* overrides handed to the SDK. */
  public record TelemetrySettings(String exporter, Map<String, String> otel) {
    public TelemetrySettings {
      otel = Map.copyOf(otel);
    }
  }

  public MachineProfile {
    gpuBoundTypes = Set.copyOf(gpuBoundTypes);
    variables = Map.copyOf(variables);
    secrets = List.copyOf(secrets);
    directories = List.copyOf(directories);
    components = List.copyOf(components);
    services = List.copyOf(services);
  }

  public static MachineProfile fromJson(JsonObject json) {
    List<Problem> problems = new ArrayList<>();
    ProfileReader r = new ProfileReader(json, "", problems);
    r.rejectUnknown(FIELDS);
    String name = r.string("name", true, "?");
    String type = r.string("machine_type", true, "?");
    Set<String> gpuBound = r.raw("gpu_bound_types") == null ? DEFAULT_GPU_BOUND_TYPES
        : new HashSet<>(r.strings("gpu_bound_types"));
    String workers = r.string("workers", true, null);
    WorkerSpec spec = null;
    if (workers != null) {
      try {
        spec = WorkerSpec.parse(workers, gpuBound);
      } catch (ValidationException e) {
        e.problems().forEach(p -> problems.add(new Problem(p.field(), p.code(), p.field() + ": " + p.message())));
      }
    }
    ProfileReader env = r.object("environment");
    env.rejectUnknown(Set.of("variables", "secrets", "directories"));
    ProfileReader inst = r.object("installation");
    inst.rejectUnknown(Set.of("strategy", "max_concurrent"));
    String strategy = inst.string("strategy", false, "parallel");
    if (!"parallel".equals(strategy) && !"sequential".equals(strategy)) {
      inst.problem("strategy", "enum", "must be parallel or sequential");
    }
    Installation installation = new Installation("parallel".equals(strategy),
        inst.integer("max_concurrent", Installation.DEFAULT_MAX_CONCURRENT, 1, 64));
    List<ComponentSpec> components = r.objects("components").stream().map(ComponentSpec::read).toList();
    unique(components.stream().map(ComponentSpec::name).toList(), "components", problems);
    List<ServiceSpec> services = r.objects("services").stream().map(ServiceSpec::read).toList();
    unique(services.stream().map(ServiceSpec::name).toList(), "services", problems);
    ProfileReader tel = r.object("telemetry");
    tel.rejectUnknown(Set.of("exporter", "otel"));
    String exporter = tel.string("exporter", false, null);
    TelemetrySettings telemetry = new TelemetrySettings(exporter, tel.stringMap("otel"));
    if (!problems.isEmpty()) {
      throw new ValidationException(problems.stream()
          .map(p -> new Problem(p.field(), p.code(), "profile " + name + ": " + p.message())).toList());
    }
    return new MachineProfile(name, type, workers, spec, gpuBound, env.stringMap("variables"),
        env.strings("secrets"), env.strings("directories"), installation, components, services, telemetry);
  }

  /** This profile with another worker spec (the node's {@code machine.workers}, env EMP_WORKERS). */
  public MachineProfile withWorkers(String spec) {
    return new MachineProfile(name, machineType, spec, WorkerSpec.parse(spec, gpuBoundTypes), gpuBoundTypes,
        variables, secrets, directories, installation, components, services, telemetry);
  }

  private static void unique(List<String> names, String field, List<Problem> problems) {
    Set<String> seen = new HashSet<>();
    for (String n : names) {
      if (!seen.add(n)) {
        problems.add(new Problem(field, "duplicate", field + ": name '" + n + "' is used twice"));
      }
    }
  }
}
