package io.emp.jobqueue.core.metrics;

import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import java.util.Set;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

/**
 * A Vert.x instance whose HTTP server/client, event-bus, pool and JVM meters go to the node's
 * registry (vertx-micrometer-metrics), next to the application's own. Vert.x's default labels are
 * kept (method, code, pool type/name, event-bus side): all bounded; no path or remote address labels.
 * Only the categories in {@code metrics.vertx_categories} are collected: by default HTTP server and
 * client; the event-bus, pool and raw TCP meters cost tens of microseconds per job and are opt-in
 * (docs/benchmarks.md, "Metrics").
 */
public final class MeteredVertx {
  /** The Vert.x metric categories not in {@code enabled} (Vert.x takes the disabled ones). */
  static Set<String> disabled(Set<String> enabled) {
    Set<String> off = new java.util.HashSet<>();
    for (MetricsDomain d : MetricsDomain.values()) {
      if (!enabled.contains(d.toCategory())) {
        off.add(d.toCategory());
      }
    }
    return off;
  }

  private MeteredVertx() {
  }

  public static Vertx create(VertxOptions options, Metrics metrics) {
    return builder(options, metrics).build();
  }

  /** A builder with the node's meters, for callers that finish it themselves (a clustered node). */
  public static VertxBuilder builder(VertxOptions options, Metrics metrics) {
    if (!metrics.enabled()) {
      return Vertx.builder().with(options);
    }
    options.setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true)
        .setDisabledMetricsCategories(disabled(metrics.config().vertxCategories())));
    return Vertx.builder().with(options).withMetrics(new MicrometerMetricsFactory(metrics.registry()));
  }
}
