package io.emp.jobqueue.machine;

import io.emp.jobqueue.core.telemetry.MachineAttr;
import io.emp.jobqueue.core.telemetry.Version;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Phases 2 and 3: dependencies and the worker bundle. Both ship inside the application jar, so the
 * first is skipped and the second records what the jar is.
 */
final class BundlePhase {
  private BundlePhase() {
  }

  static Future<Void> dependencies(Span span) {
    Phases.skipped(span, "dependencies ship inside the application jar; there is no package-manager step");
    return Future.succeededFuture();
  }

  static Future<Void> workerBundle(Vertx vertx, Span span) {
    span.setAttribute(MachineAttr.BUNDLE_MODE, "local");
    span.setAttribute(MachineAttr.BUNDLE_SOURCE, "build-time");
    span.setAttribute(MachineAttr.BUNDLE_VERSION, Version.current());
    return vertx.executeBlocking(() -> {
      var src = BundlePhase.class.getProtectionDomain().getCodeSource();
      if (src != null && src.getLocation() != null && "file".equals(src.getLocation().getProtocol())) {
        Path jar = Path.of(src.getLocation().toURI());
        if (Files.isRegularFile(jar)) {
          span.setAttribute(MachineAttr.BUNDLE_SIZE_MB, Math.round(Files.size(jar) / 1048576.0 * 100) / 100.0);
        }
      }
      return null;
    }, false);
  }
}
