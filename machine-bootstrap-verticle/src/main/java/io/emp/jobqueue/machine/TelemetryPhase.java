package io.emp.jobqueue.machine;

import io.emp.jobqueue.core.telemetry.MachineAttr;
import io.emp.jobqueue.core.telemetry.Telemetry;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Phase 7: the telemetry export path works (no collector sidecar: the SDK exports in process). */
final class TelemetryPhase {
  static final long FLUSH_TIMEOUT_MS = 5_000;

  private TelemetryPhase() {
  }

  static Future<Void> run(Vertx vertx, MachineConfig cfg, Telemetry telemetry, Span span) {
    Map<String, String> otel = cfg.profile().telemetry().otel();
    String exporter = cfg.profile().telemetry().exporter();
    if (exporter == null) {
      exporter = System.getenv("OTEL_TRACES_EXPORTER") != null ? System.getenv("OTEL_TRACES_EXPORTER")
          : System.getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != null ? "otlp" : "none";
    }
    span.setAttribute(MachineAttr.OTEL_EXPORTER, exporter);
    span.setAttribute(MachineAttr.OTEL_CONFIG_GENERATED, !otel.isEmpty());
    span.setAttribute(MachineAttr.OTEL_COLLECTOR_STARTED, false);
    // A flush proves the export path works.
    return vertx.executeBlocking(() -> telemetry.flush().join(FLUSH_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .isSuccess(), false).map(ok -> {
          span.setAttribute(MachineAttr.OTEL_HEALTH_CHECK_PASSED, ok);
          return null;
        });
  }
}
