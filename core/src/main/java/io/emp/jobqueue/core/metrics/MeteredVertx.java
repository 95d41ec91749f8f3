package io.emp.jobqueue.core.metrics;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

/**
 * A Vert.x instance whose HTTP server/client, event-bus, pool and JVM meters go to the node's
 * registry (vertx-micrometer-metrics), next to the application's own. Vert.x's default labels are
 * kept (method, code, pool type/name, event-bus side): all bounded; no path or remote address labels.
 */
public final class MeteredVertx {
  private MeteredVertx() {
  }

  public static Vertx create(VertxOptions options, Metrics metrics) {
    if (!metrics.enabled()) {
      return Vertx.builder().with(options).build();
    }
    options.setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true));
    return Vertx.builder().with(options).withMetrics(new MicrometerMetricsFactory(metrics.registry())).build();
  }
}
