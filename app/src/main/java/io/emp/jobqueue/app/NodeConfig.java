package io.emp.jobqueue.app;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * The whole node configuration as one JSON tree: built-in defaults, then the config file
 * (conf/emp.json unless --config says otherwise), then environment variables, then command-line
 * flags. Each section is validated by its own record (StoreConfig, GatewayConfig, ...).
 */
record NodeConfig(Set<Role> roles, JsonObject json, Path dataDir) {

  enum Role { API, MACHINE }

  /** env var -> JSON pointer it overrides. */
  static final Map<String, String> ENV = Map.ofEntries(
      Map.entry("REDIS_URL", "/queue/store/redis_url"),
      Map.entry("EMP_NAMESPACE", "/queue/store/namespace"),
      Map.entry("EMP_HTTP_PORT", "/gateway/port"),
      Map.entry("EMP_HTTP_HOST", "/gateway/host"),
      Map.entry("EMP_MACHINE_PROFILE", "/machine/profile"),
      Map.entry("EMP_MACHINE_ID", "/machine/machine_id"),
      Map.entry("EMP_WORKERS", "/machine/workers"),
      Map.entry("EMP_ENVIRONMENT", "/telemetry/environment"),
      Map.entry("EMP_REGION", "/telemetry/region"),
      Map.entry("EMP_METRICS", "/metrics/enabled"));

  static NodeConfig load(String[] args, Map<String, String> env) throws IOException {
    Map<String, String> flags = Flags.parse(args);
    Path file = Path.of(flags.getOrDefault("config", env.getOrDefault("EMP_CONFIG", "conf/emp.json")));
    JsonObject json = new JsonObject();
    if (Files.exists(file)) {
      json = new JsonObject(Files.readString(file));
    } else if (flags.containsKey("config")) {
      throw new IllegalArgumentException("config file not found: " + file);
    }
    for (Map.Entry<String, String> e : ENV.entrySet()) {
      String v = env.get(e.getKey());
      if (v != null && !v.isBlank()) {
        put(json, e.getValue(), v);
      }
    }
    if (flags.containsKey("redis-url")) {
      put(json, "/queue/store/redis_url", flags.get("redis-url"));
    }
    if (flags.containsKey("port")) {
      put(json, "/gateway/port", flags.get("port"));
    }
    String roles = flags.getOrDefault("roles", env.getOrDefault("EMP_ROLES", "all"));
    Path data = Path.of(flags.getOrDefault("data-dir", env.getOrDefault("EMP_DATA_DIR", "data")));
    return new NodeConfig(parseRoles(roles), json, data);
  }

  static Set<Role> parseRoles(String s) {
    return switch (s.trim().toLowerCase()) {
      case "all" -> Set.of(Role.API, Role.MACHINE);
      case "api" -> Set.of(Role.API);
      case "machine" -> Set.of(Role.MACHINE);
      default -> throw new IllegalArgumentException("--roles must be all, api or machine (got '" + s + "')");
    };
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
    return section("queue").getJsonObject("store", new JsonObject()).getString("redis_url") == null;
  }

  NodeConfig withRedisUrl(String url) {
    JsonObject copy = json.copy();
    put(copy, "/queue/store/redis_url", url);
    return new NodeConfig(roles, copy, dataDir);
  }

  /** Numbers from the environment arrive as strings; store them as numbers where they look like one. */
  private static void put(JsonObject root, String pointer, String value) {
    String[] parts = pointer.substring(1).split("/");
    JsonObject o = root;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonObject next = o.getJsonObject(parts[i]);
      if (next == null) {
        next = new JsonObject();
        o.put(parts[i], next);
      }
      o = next;
    }
    Object v = value.matches("-?\\d{1,9}") ? (Object) Integer.parseInt(value) : value;
    o.put(parts[parts.length - 1], v);
  }
}
