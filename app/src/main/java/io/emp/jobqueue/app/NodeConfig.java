package io.emp.jobqueue.app;

import io.emp.jobqueue.core.config.ConfigException;
import io.emp.jobqueue.core.config.ConfigSection;
import io.emp.jobqueue.core.metrics.MetricsConfig;
import io.emp.jobqueue.core.telemetry.TelemetryConfig;
import io.emp.jobqueue.gateway.GatewayConfig;
import io.emp.jobqueue.machine.MachineConfig;
import io.emp.jobqueue.machine.MachineProfile;
import io.emp.jobqueue.queue.QueueConfig;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The whole node configuration as one JSON tree, in layers, each laid over the one before (a key
 * a layer omits keeps the value below): the records' built-in DEFAULT_* values, conf/emp.json
 * (when present), the --config / EMP_CONFIG file, environment variables, command-line flags.
 * {@link #load} then reads the tree once with every section's own reader (StoreConfig,
 * GatewayConfig, ...): a key no reader knows, a value of the wrong type or out of range stops the
 * launch with one line that names it.
 */
record NodeConfig(Set<Role> roles, JsonObject json, Path dataDir) {

  /**
   * api: the HTTP/WebSocket gateway; queue: the queue service (submit, cancel, reads, housekeeping)
   * on the event bus; machine: a machine with its workers. Unclustered, an api node always runs a
   * queue of its own (nothing else could answer it); clustered, it uses the queue nodes of the cluster.
   */
  enum Role { API, QUEUE, MACHINE }

  /** The default config file, relative to the working directory. */
  static final String DEFAULT_FILE = "conf/emp.json";

  /** env var -> JSON pointer it overrides. */
  static final Map<String, String> ENV = Map.ofEntries(
      Map.entry("REDIS_URL", "/queue/store/redis_url"),
      Map.entry("EMP_REDIS_CONNECT_TIMEOUT_MS", "/queue/store/connect_timeout_ms"),
      Map.entry("EMP_REDIS_WAIT_REPLICAS", "/queue/store/wait_replicas"),
      Map.entry("EMP_REDIS_WAIT_TIMEOUT_MS", "/queue/store/wait_timeout_ms"),
      Map.entry("EMP_NAMESPACE", "/queue/store/namespace"),
      Map.entry("EMP_REDIS_SHARDS", "/queue/store/shards"),
      Map.entry("EMP_HTTP_PORT", "/gateway/port"),
      Map.entry("EMP_HTTP_HOST", "/gateway/host"),
      Map.entry("EMP_BATCH_MAX_JOBS", "/gateway/batch_max_jobs"),
      Map.entry("EMP_MACHINE_PROFILE", "/machine/profile"),
      Map.entry("EMP_MACHINE_ID", "/machine/machine_id"),
      Map.entry("EMP_WORKERS", "/machine/workers"),
      Map.entry("EMP_ENVIRONMENT", "/telemetry/environment"),
      Map.entry("EMP_REGION", "/telemetry/region"),
      Map.entry("EMP_METRICS", "/metrics/enabled"),
      Map.entry("EMP_CLUSTER_NAME", "/cluster/name"),
      Map.entry("EMP_CLUSTER_MEMBERS", "/cluster/members"),
      Map.entry("EMP_CLUSTER_HOST", "/cluster/host"),
      Map.entry("EMP_CLUSTER_PORT", "/cluster/port"),
      Map.entry("EMP_CLUSTER_BUS_PORT", "/cluster/bus_port"));

  static final String CLUSTER_ENABLED = "/cluster/enabled";

  static final String SAMPLING_ENABLED = "/telemetry/sampling/enabled";

  /** For tests: flags from {@code args}, files relative to the working directory. */
  static NodeConfig load(String[] args, Map<String, String> env) {
    return load(Flags.parse(args), env, Path.of(""));
  }

  static NodeConfig load(Flags flags, Map<String, String> env, Path workDir) {
    JsonObject json = new JsonObject();
    Path defaults = workDir.resolve(DEFAULT_FILE);
    if (Files.exists(defaults)) {
      json.mergeIn(ConfigFiles.read(defaults), true);
    }
    String named = flags.config != null ? flags.config : nonBlank(env.get("EMP_CONFIG"));
    if (named != null) {
      Path file = workDir.resolve(named);
      if (!Files.exists(file)) {
        throw new ConfigException("config file not found: " + named + " (from "
            + (flags.config != null ? "--config" : "EMP_CONFIG") + ")");
      }
      if (!ConfigFiles.isSameFile(file, defaults)) {
        json.mergeIn(ConfigFiles.read(file), true);
      }
    }
    for (Map.Entry<String, String> e : ENV.entrySet()) {
      String v = nonBlank(env.get(e.getKey()));
      if (v != null) {
        ConfigFiles.put(json, e.getValue(), v);
      }
    }
    if (flags.redisUrl != null) {
      ConfigFiles.put(json, "/queue/store/redis_url", flags.redisUrl);
    }
    if (flags.port != null) {
      ConfigFiles.put(json, "/gateway/port", flags.port);
    }
    applySampling(json, flags, env);
    applyCluster(json, flags, env);
    Set<Role> roles = flags.roles != null ? parseRoles(flags.roles, "--roles")
        : parseRoles(env.getOrDefault("EMP_ROLES", "all"), "EMP_ROLES");
    String data = flags.dataDir != null ? flags.dataDir : env.getOrDefault("EMP_DATA_DIR", "data");
    NodeConfig cfg = new NodeConfig(roles, json, workDir.resolve(data));
    cfg.check(env);
    return cfg;
  }

  /**
   * --sampling, else EMP_SAMPLING, else the config's {@code telemetry.sampling.enabled}, else: off
   * (every trace kept, so the monitor always finds a job's trace) for the embedded local default,
   * and the seed policy for anything deployed (a shared Redis, or an environment not named local*).
   */
  private static void applySampling(JsonObject json, Flags flags, Map<String, String> env) {
    String envValue = nonBlank(env.get("EMP_SAMPLING"));
    Boolean enabled;
    if (flags.sampling != null) {
      enabled = flags.sampling == Flags.OnOff.on;
    } else if (envValue != null) {
      enabled = switch (envValue.trim().toLowerCase()) {
        case "on", "true" -> true;
        case "off", "false" -> false;
        default -> throw new ConfigException("EMP_SAMPLING must be on or off, got '" + envValue + "'");
      };
    } else if (ConfigFiles.get(json, SAMPLING_ENABLED) != null) {
      return;
    } else {
      enabled = !isEmbeddedLocal(json);
    }
    ConfigFiles.put(json, SAMPLING_ENABLED, enabled);
  }

  /** --cluster, else EMP_CLUSTER (1/0, true/false, on/off), else the config's {@code cluster.enabled}. */
  private static void applyCluster(JsonObject json, Flags flags, Map<String, String> env) {
    if (flags.cluster) {
      ConfigFiles.put(json, CLUSTER_ENABLED, true);
      return;
    }
    String v = nonBlank(env.get("EMP_CLUSTER"));
    if (v != null) {
      ConfigFiles.put(json, CLUSTER_ENABLED, switch (v.trim().toLowerCase()) {
        case "1", "true", "on", "yes" -> true;
        case "0", "false", "off", "no" -> false;
        default -> throw new ConfigException("EMP_CLUSTER must be 1 or 0 (true/false, on/off), got '" + v + "'");
      });
    }
  }

  /** No Redis configured anywhere (the launcher starts its own) and a local environment. */
  static boolean isEmbeddedLocal(JsonObject json) {
    Object env = ConfigFiles.get(json, "/telemetry/environment");
    String environment = env instanceof String s ? s : TelemetryConfig.DEFAULT_ENVIRONMENT;
    return ConfigFiles.get(json, "/queue/store/redis_url") == null && environment.startsWith("local");
  }

  /** {@code all}, or a comma-separated list of api, queue, machine (e.g. {@code api,queue}). */
  static Set<Role> parseRoles(String s, String source) {
    String v = s.trim().toLowerCase();
    if (v.equals("all")) {
      return Collections.unmodifiableSet(EnumSet.allOf(Role.class));
    }
    EnumSet<Role> roles = EnumSet.noneOf(Role.class);
    for (String part : v.split(",")) {
      switch (part.trim()) {
        case "api" -> roles.add(Role.API);
        case "queue" -> roles.add(Role.QUEUE);
        case "machine" -> roles.add(Role.MACHINE);
        default -> throw new ConfigException(source + " must be all, or a comma-separated list of api, queue and "
            + "machine (e.g. api,queue), got '" + s + "'");
      }
    }
    return Collections.unmodifiableSet(roles);
  }

  /** The "cluster" section (the queue namespace names the cluster unless cluster.name does). */
  ClusterConfig cluster() {
    ConfigSection root = ConfigSection.of(json);
    return ClusterConfig.from(root.section("cluster"),
        QueueConfig.from(root.section("queue")).store().namespace());
  }

  /**
   * Whether this node runs the queue service: with the queue role, or as an api node outside a
   * cluster (its gateway has nothing else to ask).
   */
  boolean runsQueue() {
    return roles.contains(Role.QUEUE) || (roles.contains(Role.API) && !cluster().enabled());
  }

  /**
   * Reads every section with the readers the node uses, as the node will (same launcher-supplied
   * values), then names every key none of them read. Readers throw for wrong types and values.
   * A machine node's profile is loaded last, so a typo is reported before a missing profile.
   */
  void check(Map<String, String> env) {
    ConfigSection root = ConfigSection.of(json);
    QueueConfig queue = QueueConfig.from(root.section("queue"));
    ClusterConfig.from(root.section("cluster"), queue.store().namespace());
    GatewayConfig.from(root.section("gateway"), env);
    TelemetryConfig.from(root.section("telemetry"));
    MetricsConfig.from(root.section("metrics"));
    ConfigSection machine = root.section("machine");
    MachineConfig.profilesDir(machine);
    MachineConfig.profileName(machine);
    machineConfig(machine, PLACEHOLDER_PROFILE);
    SlotWorkers.check(root.section("worker"), env);
    root.rejectUnknownKeys();
    if (roles.contains(Role.MACHINE)) {
      machineConfig(machine, MachineConfig.profile(machine));
    }
  }

  /** Stands in for the profile while the machine section's keys are checked. */
  private static final MachineProfile PLACEHOLDER_PROFILE = MachineProfile.fromJson(new JsonObject()
      .put("name", "none").put("machine_type", "none").put("workers", "simulation:1"));

  /** The machine section as Node reads it: with a default machine id and the queue's store. */
  private MachineConfig machineConfig(ConfigSection machine, MachineProfile profile) {
    String machineId = machine.getString("machine_id");
    return MachineConfig.from(machine.with("machine_id", machineId != null ? machineId : Node.defaultMachineId())
        .with("store", json.getJsonObject("queue", new JsonObject()).getJsonObject("store", new JsonObject())),
        profile);
  }

  private static String nonBlank(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  JsonObject section(String name) {
    return json.getJsonObject(name, new JsonObject());
  }

  /** Whether any API key (or auth.disabled) was configured for the gateway. */
  boolean hasApiKeys(Map<String, String> env) {
    JsonObject gw = section("gateway");
    String envKeys = env.get("EMP_API_KEYS");
    return (envKeys != null && !envKeys.isBlank()) || gw.getValue("api_keys") != null
        || gw.getJsonObject("auth", new JsonObject()).getBoolean("disabled", false);
  }

  /** True when no Redis was configured anywhere: the embedded default starts its own. */
  boolean wantsEmbeddedRedis() {
    return ConfigFiles.get(json, "/queue/store/redis_url") == null;
  }

  /** Whether in-process tail sampling is on (false: every trace is kept). */
  boolean samplingEnabled() {
    return !Boolean.FALSE.equals(ConfigSection.of(json).section("telemetry").section("sampling")
        .getBoolean("enabled"));
  }

  NodeConfig withRedisUrl(String url) {
    JsonObject copy = json.copy();
    ConfigFiles.put(copy, "/queue/store/redis_url", url);
    return new NodeConfig(roles, copy, dataDir);
  }
}
