package io.emp.jobqueue.machine;

import io.emp.jobqueue.core.telemetry.Attr;
import io.emp.jobqueue.core.telemetry.MachineAttr;
import io.emp.jobqueue.core.telemetry.SpanName;
import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.core.telemetry.Version;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Function;

/** The {@code machine.startup} trace (seed §6): the root span and one child span per phase, timed into the metrics. */
final class StartupTrace {
  private final Tracer tracer;
  private final MachineMetrics metrics;
  private final Consumer<String> onPhase;
  private final Span root;
  private final Context ctx;
  private final long t0 = System.nanoTime();
  private int phasesCompleted;

  /** @param onPhase told the name of each phase as it begins (the machine's status word) */
  StartupTrace(Tracer tracer, MachineConfig cfg, Telemetry telemetry, MachineMetrics metrics, Consumer<String> onPhase) {
    this.tracer = tracer;
    this.metrics = metrics;
    this.onPhase = onPhase;
    MachineProfile p = cfg.profile();
    root = tracer.spanBuilder(SpanName.MACHINE_STARTUP).setNoParent()
        .setAttribute(MachineAttr.MACHINE_ID, cfg.machineId())
        .setAttribute(MachineAttr.MACHINE_TYPE, p.machineType())
        .setAttribute(MachineAttr.MACHINE_PROFILE, p.name())
        .setAttribute(MachineAttr.WORKERS_SPECIFICATION, p.workers())
        .setAttribute(MachineAttr.CONTAINER_PLATFORM, platform())
        .setAttribute(Attr.DEPLOYMENT_ENVIRONMENT, telemetry.config().environment())
        .setAttribute(MachineAttr.DEPLOYMENT_VERSION, Version.current())
        .startSpan();
    if (telemetry.config().region() != null) {
      root.setAttribute(Attr.DEPLOYMENT_REGION, telemetry.config().region());
    }
    String image = System.getenv("CONTAINER_IMAGE");
    if (image != null && !image.isBlank()) {
      root.setAttribute(MachineAttr.CONTAINER_IMAGE, image);
    }
    ctx = Context.root().with(root);
  }

  Span root() {
    return root;
  }

  long elapsedMs() {
    return Phases.ms(t0);
  }

  /** Runs one phase under its own span; a failure marks the span and fails the start-up. */
  Future<Void> phase(String name, Function<Span, Future<Void>> body) {
    onPhase.accept(name);
    long t = System.nanoTime();
    Span span = tracer.spanBuilder(name).setParent(ctx).startSpan();
    Future<Void> f;
    try {
      f = body.apply(span);
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    return f.andThen(ar -> {
      metrics.phase(name, System.nanoTime() - t);
      if (ar.succeeded()) {
        phasesCompleted++;
      } else {
        span.setStatus(StatusCode.ERROR, ar.cause().getMessage());
        span.recordException(ar.cause());
      }
      span.end();
    });
  }

  void end(AsyncResult<?> ar) {
    root.setAttribute(MachineAttr.STARTUP_TOTAL_DURATION_MS, elapsedMs());
    root.setAttribute(MachineAttr.STARTUP_PHASES_COMPLETED, phasesCompleted);
    root.setAttribute(MachineAttr.STARTUP_READY_FOR_JOBS, ar.succeeded());
    if (ar.failed()) {
      root.setStatus(StatusCode.ERROR, ar.cause().getMessage());
      root.recordException(ar.cause());
    }
    root.end();
  }

  private static String platform() {
    String arch = System.getProperty("os.arch", "unknown");
    arch = switch (arch) {
      case "x86_64", "amd64" -> "amd64";
      case "aarch64" -> "arm64";
      default -> arch;
    };
    return System.getProperty("os.name", "unknown").toLowerCase(Locale.ROOT).replace(" ", "") + "/" + arch;
  }
}
