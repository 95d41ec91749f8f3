package io.emp.jobqueue.core.metrics;

import io.emp.jobqueue.core.metrics.MetricNames.Def;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The node's metrics: one Micrometer registry per node (Vert.x's HTTP, event-bus, pool and JVM
 * meters go to the same one), the catalogue's meters on it, and the /metrics exposition. Meters are
 * looked up once per label combination and cached, so recording costs a map lookup and an add.
 *
 * <p>{@link #disabled()} keeps the same API over a registry without backends: every meter is a
 * no-op and there is nothing to scrape (the benchmark's "metrics off" mode).
 */
public final class Metrics implements AutoCloseable {
  /**
   * Histogram buckets of every timer, in seconds. They include the alert thresholds (30 s job
   * latency, 2 min queue wait, 5 min standard promise) so those quantiles are exact at the edge.
   */
  public static final double[] BUCKETS_SECONDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
      120, 300, 600, 1800, 3600};
  /** Content type of the Prometheus text format. */
  public static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";
  /** Content type of the OpenMetrics text format (the one that carries exemplars). */
  public static final String OPENMETRICS_FORMAT = "application/openmetrics-text; version=1.0.0; charset=utf-8";

  /**
   * Three of Micrometer's JVM/process meters have names {@code promtool check metrics} rejects (time
   * in ms and ns, a gauge ending in _count). The gauge is renamed; the two times are replaced by
   * second-based counters ({@link #bindCompliantJvmTimes}).
   */
  static final MeterFilter PROMETHEUS_NAMES = new MeterFilter() {
    @Override
    public Meter.Id map(Meter.Id id) {
      return "system.cpu.count".equals(id.getName()) ? id.withName("system.cpu.cores") : id;
    }
  };
  static final MeterFilter DENY_NON_SECOND_TIMES = MeterFilter.deny(id ->
      "jvm.compilation.time".equals(id.getName()) || "process.cpu.time".equals(id.getName()));

  /** process_cpu_seconds_total and jvm_jit_compilation_time_seconds_total, in seconds as Prometheus expects. */
  private static void bindCompliantJvmTimes(MeterRegistry r) {
    var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      FunctionCounter.builder("process.cpu", sun, b -> b.getProcessCpuTime() / 1e9).baseUnit("seconds")
          .description("CPU time used by the JVM process").register(r);
    }
    var jit = java.lang.management.ManagementFactory.getCompilationMXBean();
    if (jit != null && jit.isCompilationTimeMonitoringSupported()) {
      FunctionCounter.builder("jvm.jit.compilation.time", jit, b -> b.getTotalCompilationTime() / 1000.0)
          .baseUnit("seconds").description("Time spent in JIT compilation").register(r);
    }
  }

  private final MeterRegistry registry;
  private final PrometheusMeterRegistry prometheus;
  private final MetricsConfig config;
  private final Map<Def, Map<List<String>, Object>> meters = new ConcurrentHashMap<>();
  private final BoundedLabels bounded = new BoundedLabels(BoundedLabels.DEFAULT_MAX_VALUES);

  private Metrics(MeterRegistry registry, PrometheusMeterRegistry prometheus, MetricsConfig config) {
    this.registry = registry;
    this.prometheus = prometheus;
    this.config = config;
    if (prometheus != null) {
      config.sla().tiers().forEach((tier, t) -> {
        gauge(MetricNames.SLA_PROMISED, tier).set(t.promisedMs() / 1000.0);
        gauge(MetricNames.SLA_OBJECTIVE, tier).set(t.objective());
      });
      gauge(MetricNames.ANOMALY_THRESHOLD).set(config.anomaly().threshold());
    }
  }

  /** A Prometheus registry whose histograms take exemplars from {@link Exemplars} (kept traces only). */
  public static Metrics prometheus(MetricsConfig config) {
    if (!config.enabled()) {
      return disabled(config);
    }
    PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, new PrometheusRegistry(),
        Clock.SYSTEM, Exemplars.SPAN_CONTEXT);
    r.config().meterFilter(PROMETHEUS_NAMES).meterFilter(DENY_NON_SECOND_TIMES);
    bindCompliantJvmTimes(r);
    return new Metrics(r, r, config);
  }

  public static Metrics disabled() {
    return disabled(MetricsConfig.DEFAULTS.withEnabled(false));
  }

  private static Metrics disabled(MetricsConfig config) {
    return new Metrics(new CompositeMeterRegistry(), null, config);
  }

  public boolean enabled() {
    return prometheus != null;
  }

  public MetricsConfig config() {
    return config;
  }

  /** The registry Vert.x records into (MicrometerMetricsFactory); never null. */
  public MeterRegistry registry() {
    return registry;
  }

  // ------------------------------------------------------------------ meters

  /** The timer of {@code def} for these label values (in the def's label order). */
  public Timer timer(Def def, String... labelValues) {
    return (Timer) meter(def, labelValues, tags -> Timer.builder(def.meter()).description(def.help()).tags(tags)
        .serviceLevelObjectives(buckets()).register(registry));
  }

  public Counter counter(Def def, String... labelValues) {
    return (Counter) meter(def, labelValues, tags -> Counter.builder(def.meter()).description(def.help()).tags(tags)
        .register(registry));
  }

  /** A settable gauge value, registered on first use. */
  public GaugeValue gauge(Def def, String... labelValues) {
    return (GaugeValue) meter(def, labelValues, tags -> {
      GaugeValue v = new GaugeValue();
      Gauge.builder(def.meter(), v, GaugeValue::get).description(def.help()).tags(tags).register(registry);
      return v;
    });
  }

  /** A running total read from elsewhere (e.g. Redis' job counters), exported as a counter. */
  public GaugeValue total(Def def, String... labelValues) {
    return (GaugeValue) meter(def, labelValues, tags -> {
      GaugeValue v = new GaugeValue();
      FunctionCounter.builder(def.meter(), v, GaugeValue::get).description(def.help()).tags(tags).register(registry);
      return v;
    });
  }

  /** A gauge that reads {@code fn(obj)} at scrape time. */
  public <T> void gaugeOf(Def def, T obj, ToDoubleFunction<T> fn, String... labelValues) {
    meter(def, labelValues, tags -> Gauge.builder(def.meter(), obj, fn).description(def.help()).tags(tags)
        .strongReference(true).register(registry));
  }

  /** A counter that reads a running total at scrape time. */
  public <T> void counterOf(Def def, T obj, ToDoubleFunction<T> fn, String... labelValues) {
    meter(def, labelValues, tags -> FunctionCounter.builder(def.meter(), obj, fn).description(def.help()).tags(tags)
        .register(registry));
  }

  /**
   * Records {@code nanos} on the timer; when {@code keptTraceId} is given (a trace the tail sampler
   * KEPT), the observation may become the bucket's exemplar pointing at that trace.
   */
  public void record(Timer timer, long nanos, String keptTraceId, String spanId) {
    if (keptTraceId == null || spanId == null) {
      timer.record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
      return;
    }
    Exemplars.within(keptTraceId, spanId, () -> timer.record(Math.max(0, nanos), TimeUnit.NANOSECONDS));
  }

  /** A label value from outside the code (error types, endpoints, models): capped per label. */
  public String bounded(String label, String value) {
    return bounded.admit(label, value);
  }

  private Object meter(Def def, String[] values, java.util.function.Function<Tags, Object> create) {
    if (values.length != def.labels().size()) {
      throw new IllegalArgumentException(def.meter() + " takes labels " + def.labels() + ", got "
          + Arrays.toString(values));
    }
    Map<List<String>, Object> byLabels = meters.computeIfAbsent(def, d -> new ConcurrentHashMap<>());
    List<String> key = Arrays.asList(values);
    Object m = byLabels.get(key);
    if (m != null) {
      return m;
    }
    return byLabels.computeIfAbsent(List.copyOf(key.stream().map(v -> v == null ? "" : v).toList()), k -> {
      Tags tags = Tags.empty();
      for (int i = 0; i < values.length; i++) {
        tags = tags.and(def.labels().get(i), k.get(i));
      }
      return create.apply(tags);
    });
  }

  private static Duration[] buckets() {
    Duration[] d = new Duration[BUCKETS_SECONDS.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = Duration.ofNanos((long) (BUCKETS_SECONDS[i] * 1e9));
    }
    return d;
  }

  // ------------------------------------------------------------------ exposition

  /** One scrape: content type and body. */
  public record Scrape(String contentType, byte[] body) {
  }

  /**
   * The registry in the format the {@code Accept} header asks for: OpenMetrics (with exemplars)
   * when it names {@code application/openmetrics-text}, else the Prometheus text format. Null when
   * metrics are disabled.
   */
  public Scrape scrape(String accept) {
    if (prometheus == null) {
      return null;
    }
    boolean openMetrics = accept != null && accept.contains("application/openmetrics-text");
    String type = openMetrics ? OPENMETRICS_FORMAT : TEXT_FORMAT;
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    try {
      prometheus.scrape(out, type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Scrape(type, out.toByteArray());
  }

  /** Convenience for tests and tools: the text exposition. */
  public String scrapeText() {
    Scrape s = scrape(null);
    return s == null ? "" : new String(s.body(), java.nio.charset.StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    registry.close();
  }
}
