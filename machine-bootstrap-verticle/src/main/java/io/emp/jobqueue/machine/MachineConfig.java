package io.emp.jobqueue.machine;

import io.emp.jobqueue.core.config.ConfigSection;
import io.emp.jobqueue.core.http.HttpTimeouts;
import io.emp.jobqueue.core.telemetry.TelemetryConfig;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;

/**
 * Settings of one machine node, validated once.
 *
 * @param workDir install root: components are installed under it, logs go to {@code logs/}
 * @param cacheDir download cache shared across restarts (keyed by SHA-256)
 * @param healthPort port of /health, /ready and /status; 0 picks a free one
 * @param nvidiaSmi command used for GPU detection; blank disables it
 * @param healthTimeouts idle timeout and request read deadlines of the health server (section
 *     {@code health_http}: idle_timeout_ms, request_header_timeout_ms, request_body_timeout_ms)
 */
public record MachineConfig(String machineId, MachineProfile profile, Path workDir, Path cacheDir, String healthHost,
                            int healthPort, long heartbeatIntervalMs, long registrationTtlMs, long statusIntervalMs,
                            String nvidiaSmi, int downloadMaxAttempts, long downloadBackoffMs, StoreConfig store,
                            HttpTimeouts healthTimeouts) {
  public static final String DEFAULT_PROFILE = "base";
  public static final String DEFAULT_PROFILES_DIR = "conf/machines";
  public static final String DEFAULT_HEALTH_HOST = "0.0.0.0";
  public static final int DEFAULT_HEALTH_PORT = 9090;
  public static final long DEFAULT_HEARTBEAT_INTERVAL_MS = 10_000;
  public static final long DEFAULT_REGISTRATION_TTL_MS = 30_000;
  public static final long DEFAULT_STATUS_INTERVAL_MS = 10_000;

  public MachineConfig {
    if (machineId == null || !machineId.matches("[A-Za-z0-9][A-Za-z0-9_.\\-]{0,99}")) {
      throw new IllegalArgumentException("machine_id must be 1-100 of [A-Za-z0-9_.-]: " + machineId);
    }
    if (profile == null || workDir == null || store == null) {
      throw new IllegalArgumentException("profile, work_dir and store are required");
    }
    cacheDir = cacheDir == null ? workDir.resolve(".cache") : cacheDir;
    healthHost = healthHost == null ? DEFAULT_HEALTH_HOST : healthHost;
    healthTimeouts = healthTimeouts == null ? HttpTimeouts.DEFAULTS : healthTimeouts;
    if (healthPort < 0 || healthPort > 65535) {
      throw new IllegalArgumentException("health_port must be within 0..65535");
    }
    if (heartbeatIntervalMs < 10 || statusIntervalMs < 10 || registrationTtlMs <= heartbeatIntervalMs) {
      throw new IllegalArgumentException("intervals must be >= 10 ms and registration_ttl_ms > heartbeat_interval_ms");
    }
    if (downloadMaxAttempts < 1 || downloadBackoffMs < 0) {
      throw new IllegalArgumentException("download_max_attempts must be >= 1 and download_backoff_ms >= 0");
    }
  }

  public Path logDir() {
    return workDir.resolve("logs");
  }

  /**
   * Reads the "machine" section of the node config; the profile is loaded by the caller. A
   * {@code workers} spec in the section replaces the profile's.
   */
  public static MachineConfig from(JsonObject j, MachineProfile profile) {
    return from(ConfigSection.of(j, "machine"), profile);
  }

  /** Reads the "machine" section (see {@link #from(JsonObject, MachineProfile)}). */
  public static MachineConfig from(ConfigSection j, MachineProfile profile) {
    String cache = j.getString("cache_dir");
    if (j.getString("workers") != null && !j.getString("workers").isBlank()) {
      profile = profile.withWorkers(j.getString("workers").trim());
    }
    return new MachineConfig(j.getString("machine_id"), profile, Path.of(j.getString("work_dir", "/workspace")),
        cache == null ? null : Path.of(cache), j.getString("health_host", DEFAULT_HEALTH_HOST),
        j.getInteger("health_port", DEFAULT_HEALTH_PORT),
        j.getLong("heartbeat_interval_ms", DEFAULT_HEARTBEAT_INTERVAL_MS),
        j.getLong("registration_ttl_ms", DEFAULT_REGISTRATION_TTL_MS),
        j.getLong("status_interval_ms", DEFAULT_STATUS_INTERVAL_MS),
        j.getString("nvidia_smi", HardwareDetector.DEFAULT_NVIDIA_SMI),
        j.getInteger("download_max_attempts", Downloader.DEFAULT_MAX_ATTEMPTS),
        j.getLong("download_backoff_ms", Downloader.DEFAULT_RETRY_BACKOFF_MS),
        StoreConfig.from(j.section("store")),
        HttpTimeouts.from(j.section("health_http")));
  }

  /**
   * Loads the profile named by {@code profile} from {@code profilesDir} (on a worker thread) and
   * reads the rest of the section: the launcher's one call.
   */
  public static io.vertx.core.Future<MachineConfig> load(io.vertx.core.Vertx vertx, JsonObject section,
                                                         Path profilesDir) {
    ConfigSection c = ConfigSection.of(section, "machine");
    return vertx.executeBlocking(() -> from(c, MachineProfiles.load(profilesDir, profileName(c))), false);
  }

  /**
   * Loads the profile the section names: {@code profile} (default {@value #DEFAULT_PROFILE}) from
   * {@code profiles_dir} (default {@value #DEFAULT_PROFILES_DIR}). Blocking: reads files.
   */
  public static MachineProfile profile(ConfigSection j) {
    return MachineProfiles.load(profilesDir(j), profileName(j));
  }

  public static String profileName(ConfigSection j) {
    return j.getString("profile", DEFAULT_PROFILE);
  }

  public static Path profilesDir(ConfigSection j) {
    return Path.of(j.getString("profiles_dir", DEFAULT_PROFILES_DIR));
  }

  /**
   * The telemetry settings this machine's SDK should be built with: the node's, plus the machine id
   * as a resource attribute and the profile's exporter and otel.* overrides.
   */
  public TelemetryConfig telemetryConfig(TelemetryConfig base) {
    java.util.Map<String, String> o = new java.util.HashMap<>(profile.telemetry().otel());
    if (profile.telemetry().exporter() != null) {
      o.put("otel.traces.exporter", profile.telemetry().exporter());
    }
    return base.withMachineId(machineId).withOverrides(o);
  }

  public MachineConfig withHealthPort(int port) {
    return new MachineConfig(machineId, profile, workDir, cacheDir, healthHost, port, heartbeatIntervalMs,
        registrationTtlMs, statusIntervalMs, nvidiaSmi, downloadMaxAttempts, downloadBackoffMs, store, healthTimeouts);
  }
}
