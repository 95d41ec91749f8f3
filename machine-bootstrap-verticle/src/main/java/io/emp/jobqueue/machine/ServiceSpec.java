package io.emp.jobqueue.machine;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An external process the machine supervises (the PM2 role), e.g. one ComfyUI per GPU.
 *
 * @param command argv template; {@code {port} {gpu} {index} {install_dir} {name} {machine_id}} are replaced
 * @param perWorker true: one instance per worker slot of {@code type}, paired by index (port base_port+gpu);
 *                  false: {@code instances} background instances
 * @param basePort first port; 0 picks a free port per instance (dev machines and tests)
 * @param healthPath HTTP path polled on 127.0.0.1:{port} until it answers 2xx; null: ready once started
 */
public record ServiceSpec(String name, String type, List<String> command, boolean perWorker, int instances,
                          int basePort, String healthPath, long healthTimeoutMs, long healthIntervalMs,
                          int maxRestarts, long restartBackoffMs, long stopGraceMs, Map<String, String> env,
                          String workdir) {
  public static final long DEFAULT_HEALTH_TIMEOUT_MS = 120_000;
  public static final long DEFAULT_HEALTH_INTERVAL_MS = 250;
  public static final int DEFAULT_MAX_RESTARTS = 10;
  public static final long DEFAULT_RESTART_BACKOFF_MS = 1_000;
  public static final long DEFAULT_STOP_GRACE_MS = 10_000;
  static final Set<String> FIELDS = Set.of("name", "type", "command", "instances", "base_port", "health_path",
      "health_timeout_ms", "health_interval_ms", "max_restarts", "restart_backoff_ms", "stop_grace_ms", "env",
      "workdir");

  public ServiceSpec {
    command = List.copyOf(command);
    env = Map.copyOf(env);
  }

  static ServiceSpec read(ProfileReader r) {
    r.rejectUnknown(FIELDS);
    String name = r.string("name", true, "?");
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.\\-]{0,63}")) {
      r.problem("name", "format", "must be 1-64 of [A-Za-z0-9_.-]");
    }
    String type = r.string("type", false, name);
    List<String> command;
    Object raw = r.raw("command");
    if (raw instanceof String s) {
      command = Arrays.asList(s.trim().split("\\s+"));
    } else {
      command = r.strings("command");
    }
    if (command.isEmpty() || command.get(0).isBlank()) {
      r.problem("command", "required", "is required (a string or an argv array)");
    }
    boolean perWorker = true;
    int instances = 0;
    Object inst = r.raw("instances");
    if (inst == null || "per_worker".equals(inst)) {
      perWorker = true;
    } else if (inst instanceof Number) {
      perWorker = false;
      instances = r.integer("instances", 1, 1, 64);
    } else {
      r.problem("instances", "format", "must be \"per_worker\" or a count 1..64");
    }
    String health = r.string("health_path", false, null);
    if (health != null && !health.startsWith("/")) {
      r.problem("health_path", "format", "must start with /");
    }
    return new ServiceSpec(name, type, command, perWorker, instances, r.integer("base_port", 0, 0, 65535), health,
        r.integer("health_timeout_ms", (int) DEFAULT_HEALTH_TIMEOUT_MS, 100, 3_600_000),
        r.integer("health_interval_ms", (int) DEFAULT_HEALTH_INTERVAL_MS, 10, 60_000),
        r.integer("max_restarts", DEFAULT_MAX_RESTARTS, 0, 1000),
        r.integer("restart_backoff_ms", (int) DEFAULT_RESTART_BACKOFF_MS, 0, 600_000),
        r.integer("stop_grace_ms", (int) DEFAULT_STOP_GRACE_MS, 0, 600_000), r.stringMap("env"),
        r.string("workdir", false, null));
  }
}
