package io.emp.jobqueue.core.telemetry;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.emp.jobqueue.core.config.ConfigSection;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * Telemetry settings of a node. {@code otelOverrides} are otel.* properties that beat the project
 * defaults but not the user's OTEL_* environment.
 */
public record TelemetryConfig(String environment, String region, String version, String machineId,
                              Map<String, String> otelOverrides, SamplingPolicy sampling, int traceStoreMaxTraces) {
  /** The seed's performance targets: 1,000-span batches every 5 s from a 10,000-span queue. */
  public static final Map<String, String> OTEL_DEFAULTS = Map.of(
      "otel.bsp.max.export.batch.size", "1000",
      "otel.bsp.schedule.delay", "5000",
      "otel.bsp.max.queue.size", "10000",
      "otel.bsp.export.timeout", "10000",
      "otel.metrics.exporter", "none",
      "otel.logs.exporter", "none",
      "otel.propagators", "tracecontext,baggage");
  public static final String DEFAULT_ENVIRONMENT = "local-dev";
  /** Code and tests default to keeping every span; the node config (conf/emp.json) turns sampling on. */
  public static final TelemetryConfig DEFAULTS = new TelemetryConfig(DEFAULT_ENVIRONMENT, null, Version.current(),
      null, Map.of(), SamplingPolicy.KEEP_ALL, TraceStore.DEFAULT_MAX_TRACES);

  public TelemetryConfig {
    environment = environment == null ? DEFAULT_ENVIRONMENT : environment;
    version = version == null ? Version.current() : version;
    otelOverrides = otelOverrides == null ? Map.of() : Map.copyOf(otelOverrides);
    sampling = sampling == null ? SamplingPolicy.KEEP_ALL : sampling;
    if (traceStoreMaxTraces < 1) {
      throw new IllegalArgumentException("telemetry: trace_store_max_traces must be >= 1");
    }
  }

  public TelemetryConfig withSampling(SamplingPolicy policy) {
    return new TelemetryConfig(environment, region, version, machineId, otelOverrides, policy, traceStoreMaxTraces);
  }

  public TelemetryConfig withMachineId(String id) {
    return new TelemetryConfig(environment, region, version, id, otelOverrides, sampling, traceStoreMaxTraces);
  }

  public TelemetryConfig withOverrides(Map<String, String> o) {
    Map<String, String> m = new HashMap<>(otelOverrides);
    m.putAll(o);
    return new TelemetryConfig(environment, region, version, machineId, m, sampling, traceStoreMaxTraces);
  }

  public static TelemetryConfig from(JsonObject j) {
    return from(ConfigSection.of(j, "telemetry"));
  }

  /** Reads the "telemetry" section of the node config. */
  public static TelemetryConfig from(ConfigSection j) {
    Map<String, String> o = new HashMap<>();
    j.getJsonObject("otel", new JsonObject()).forEach(e -> o.put(e.getKey(), String.valueOf(e.getValue())));
    return new TelemetryConfig(j.getString("environment"), j.getString("region"), j.getString("version"),
        j.getString("machine_id"), o, SamplingPolicy.from(j.section("sampling")),
        j.getInteger("trace_store_max_traces", TraceStore.DEFAULT_MAX_TRACES));
  }

  Attributes resourceAttributes() {
    AttributesBuilder b = Attributes.builder().put("deployment.environment", environment)
        .put("deployment.environment.name", environment).put("service.version", version);
    if (region != null) {
      b.put("deployment.region", region);
    }
    if (machineId != null) {
      b.put("machine.id", machineId);
    }
    return b.build();
  }
}
