package io.emp.jobqueue.machine;

import io.emp.jobqueue.core.telemetry.MachineAttr;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** Phase 4: the profile's components (models, custom nodes) downloaded or cloned, checked and cached. */
final class ComponentsPhase {
  private static final System.Logger LOG = System.getLogger(ComponentsPhase.class.getName());

  private ComponentsPhase() {
  }

  static Future<Void> run(Vertx vertx, MachineConfig cfg, Tracer tracer, String environment, MachineMetrics metrics,
                          Span span) {
    MachineProfile p = cfg.profile();
    if (p.components().isEmpty()) {
      Phases.skipped(span, "the profile has no components");
      return Future.succeededFuture();
    }
    span.setAttribute(MachineAttr.COMPONENTS_TOTAL, p.components().size());
    span.setAttribute(MachineAttr.COMPONENTS_STRATEGY, p.installation().strategy());
    span.setAttribute(MachineAttr.COMPONENTS_MAX_CONCURRENT, p.installation().effectiveConcurrency());
    ComponentInstaller installer = new ComponentInstaller(vertx,
        new Downloader(vertx, cfg.downloadMaxAttempts(), cfg.downloadBackoffMs()), tracer,
        new ComponentInstaller.Settings(cfg.workDir(), cfg.cacheDir(), cfg.machineId(), environment),
        metrics::downloaded);
    return installer.install(p.components(), p.installation(), Context.root().with(span)).compose(report -> {
      report.results().forEach(metrics::installed);
      span.setAttribute(MachineAttr.INSTALLATION_TOTAL_DURATION_MS, report.durationMs());
      span.setAttribute(MachineAttr.INSTALLATION_PARALLEL_EFFICIENCY, report.parallelEfficiency());
      span.setAttribute(MachineAttr.INSTALLATION_CACHE_USAGE, report.cacheHits());
      span.setAttribute(MachineAttr.INSTALLATION_NETWORK_MB, report.networkMb());
      report.results().stream().filter(r -> !r.ok() && !r.spec().required()).forEach(r -> LOG.log(
          System.Logger.Level.WARNING, "optional component " + r.spec().name() + " skipped: " + r.error().getMessage()));
      return report.firstRequiredFailure().<Future<Void>>map(r -> Future.failedFuture(new InstallException(
              r.error() instanceof InstallException ie ? ie.kind() : InstallException.Kind.IO,
              "required component " + r.spec().name() + " failed: " + r.error().getMessage())))
          .orElse(Future.succeededFuture());
    });
  }
}
