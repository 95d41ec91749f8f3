package io.emp.jobqueue.machine;

import io.emp.jobqueue.core.metrics.MetricNames;
import io.emp.jobqueue.core.metrics.Metrics;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A machine's metrics: start-up time and phases, downloads, component installs, supervised
 * services' readiness and health-check latency. Recorded by {@link MachineBootstrap} from the same
 * facts as its machine.startup spans; the machine label is the machine id (one per machine).
 */
public final class MachineMetrics {
  /** Span names of the phases start with this; the label is the rest (environment, services, ...). */
  static final String PHASE_PREFIX = "machine.startup.";
  /** component_installation failures are counted as emp_errors{component="machine", error_type=this}. */
  static final String INSTALL_ERROR_TYPE = ComponentInstaller.ERROR_TYPE;

  private final Metrics m;
  private final String machine;
  private volatile long startNanos;
  private volatile long endNanos = -1;

  MachineMetrics(Metrics metrics, String machineId) {
    this.m = metrics;
    this.machine = metrics.bounded(MetricNames.L_MACHINE, machineId);
  }

  /** Start-up began: the duration gauge counts up until {@link #startupEnded()}. */
  void startupBegan(BooleanSupplier ready) {
    startNanos = System.nanoTime();
    m.gaugeOf(MetricNames.MACHINE_STARTUP, this, MachineMetrics::startupSeconds, machine);
    m.gaugeOf(MetricNames.MACHINE_READY, ready, r -> r.getAsBoolean() ? 1 : 0, machine);
  }

  void startupEnded() {
    endNanos = System.nanoTime();
  }

  double startupSeconds() {
    long end = endNanos >= 0 ? endNanos : System.nanoTime();
    return (end - startNanos) / 1e9;
  }

  void phase(String spanName, long nanos) {
    String phase = spanName.startsWith(PHASE_PREFIX) ? spanName.substring(PHASE_PREFIX.length()) : spanName;
    m.gauge(MetricNames.MACHINE_PHASE, machine, phase).set(nanos / 1e9);
  }

  void downloaded(long bytes, long durationMs, boolean ok) {
    m.counter(MetricNames.DOWNLOAD_BYTES, machine).increment(bytes);
    m.timer(MetricNames.DOWNLOAD_DURATION, machine, ok ? "success" : "failed").record(durationMs, TimeUnit.MILLISECONDS);
    if (ok) {
      // a sub-millisecond local download counts as 1 ms
      m.gauge(MetricNames.DOWNLOAD_SPEED, machine).set(bytes * 1000.0 / Math.max(1, durationMs));
    }
  }

  void installed(ComponentInstaller.ComponentResult r) {
    String outcome = !r.ok() ? "failed" : r.cacheHit() ? "cached" : "installed";
    m.counter(MetricNames.COMPONENT_INSTALLS, machine, outcome).increment();
    m.timer(MetricNames.COMPONENT_INSTALL_DURATION, machine, outcome).record(r.durationMs(), TimeUnit.MILLISECONDS);
    if (!r.ok()) {
      m.counter(MetricNames.ERRORS, ComponentInstaller.ERROR_COMPONENT, INSTALL_ERROR_TYPE).increment();
    }
  }

  void serviceReady(String service, long readyMs, long healthCheckMs) {
    String s = m.bounded(MetricNames.L_SERVICE, service);
    m.gauge(MetricNames.SERVICE_READINESS, machine, s).set(readyMs / 1000.0);
    m.timer(MetricNames.HEALTH_CHECK, machine, s).record(healthCheckMs, TimeUnit.MILLISECONDS);
  }
}
