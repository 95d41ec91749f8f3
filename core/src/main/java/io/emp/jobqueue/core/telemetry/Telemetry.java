package io.emp.jobqueue.core.telemetry;

import io.emp.jobqueue.core.metrics.MetricNames;
import io.emp.jobqueue.core.metrics.Metrics;
import io.emp.jobqueue.core.metrics.MetricsConfig;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The telemetry of one node: its {@link Metrics} (one Micrometer registry) and the OpenTelemetry SDKs of the JVM. One node can play several roles (api, worker, bootstrap),
 * and the seed gives each role its own service name, which OpenTelemetry carries on the resource;
 * so there is one autoconfigured SDK per service name, built on first use. Standard OTEL_*
 * variables and -Dotel.* properties work as usual and override the project defaults below.
 */
public final class Telemetry implements AutoCloseable {
  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

  private final TelemetryConfig cfg;
  private final List<SpanProcessor> extraProcessors;
  private final Map<String, OpenTelemetrySdk> sdks = new ConcurrentHashMap<>();
  private final Map<String, Tracer> tracers = new ConcurrentHashMap<>();
  private final boolean enabled;
  private final TailSampler sampler;
  private final TraceStore traces;
  private final ExportStats exportStats = new ExportStats();
  private final java.util.concurrent.ScheduledExecutorService sweeper;
  private final Metrics metrics;

  private Telemetry(TelemetryConfig cfg, List<SpanProcessor> extra, boolean enabled, Metrics metrics) {
    this.cfg = cfg;
    this.extraProcessors = List.copyOf(extra);
    this.enabled = enabled;
    this.sampler = new TailSampler(cfg.sampling());
    this.traces = new TraceStore(cfg.traceStoreMaxTraces(), TraceStore.DEFAULT_MAX_SPANS_PER_TRACE);
    this.sweeper = enabled && cfg.sampling().enabled() ? startSweeper(sampler) : null;
    this.metrics = metrics;
    if (enabled) {
      bindPipelineMetrics();
    }
  }

  /** The sampler's, exporters' and trace store's counters as metrics, read at scrape time. */
  private void bindPipelineMetrics() {
    Map<MetricNames.Def, String> sampler = Map.of(MetricNames.SAMPLER_KEPT_SPANS, "kept_spans",
        MetricNames.SAMPLER_DROPPED_SPANS, "dropped_spans", MetricNames.SAMPLER_KEPT_TRACES, "kept_traces",
        MetricNames.SAMPLER_DROPPED_TRACES, "dropped_traces", MetricNames.SAMPLER_OVERFLOW, "overflow_traces",
        MetricNames.SAMPLER_TIMED_OUT, "timed_out_traces", MetricNames.SAMPLER_LATE, "late_spans");
    sampler.forEach((def, key) -> metrics.counterOf(def, this.sampler, s -> s.counters().get(key)));
    Map<MetricNames.Def, String> export = Map.of(MetricNames.EXPORT_OFFERED, "export_batches_spans",
        MetricNames.EXPORT_OK, "exported_spans", MetricNames.EXPORT_FAILED, "export_failed_spans");
    export.forEach((def, key) -> metrics.counterOf(def, exportStats, e -> e.counters().get(key)));
    metrics.gaugeOf(MetricNames.SAMPLER_BUFFERED, this.sampler, TailSampler::bufferedSpans);
    metrics.gaugeOf(MetricNames.TRACE_STORE, traces, TraceStore::size);
  }

  /** The node's metrics (a no-op registry when metrics are off). */
  public Metrics metrics() {
    return metrics;
  }

  private static java.util.concurrent.ScheduledExecutorService startSweeper(TailSampler sampler) {
    var exec = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "emp-tail-sampler-sweep");
      t.setDaemon(true);
      return t;
    });
    exec.scheduleWithFixedDelay(sampler::sweep, 5, 5, TimeUnit.SECONDS);
    return exec;
  }

  /** The node's tail sampler: workers and the gateway report job outcomes to it. */
  public TailSampler sampler() {
    return sampler;
  }

  /** Kept spans of this node. */
  public TraceStore traces() {
    return traces;
  }

  public ExportStats exportStats() {
    return exportStats;
  }

  /** With a Prometheus registry of its own (default metrics settings). */
  public static Telemetry create(TelemetryConfig cfg, List<SpanProcessor> extraProcessors) {
    return create(cfg, extraProcessors, Metrics.prometheus(MetricsConfig.DEFAULTS));
  }

  /** With the node's metrics (the registry Vert.x also records into). */
  public static Telemetry create(TelemetryConfig cfg, List<SpanProcessor> extraProcessors, Metrics metrics) {
    return new Telemetry(cfg, extraProcessors, true, metrics);
  }

  /** Tracing off, metrics on: what tracing costs is the difference to {@link #create} (benchmarks). */
  public static Telemetry untraced(Metrics metrics) {
    return new Telemetry(TelemetryConfig.DEFAULTS, List.of(), false, metrics);
  }

  /** Tracing and metrics off: every tracer and meter is a no-op (used by benchmarks as the baseline). */
  public static Telemetry disabled() {
    return new Telemetry(TelemetryConfig.DEFAULTS, List.of(), false, Metrics.disabled());
  }

  public TelemetryConfig config() {
    return cfg;
  }

  public boolean enabled() {
    return enabled;
  }

  public Tracer tracer(String serviceName) {
    // one per service name, kept: the SDK's lookup builds a key and consults its registry per call,
    // and the worker asks once per job (issue 16)
    return tracers.computeIfAbsent(serviceName, n -> openTelemetry(n).getTracer("io.emp.jobqueue", cfg.version()));
  }

  public OpenTelemetry openTelemetry(String serviceName) {
    if (!enabled) {
      return OpenTelemetry.noop();
    }
    return sdks.computeIfAbsent(serviceName, this::build);
  }

  private OpenTelemetrySdk build(String serviceName) {
    Map<String, String> defaults = new HashMap<>(TelemetryConfig.OTEL_DEFAULTS);
    boolean exporterChosen = System.getenv("OTEL_TRACES_EXPORTER") != null
        || System.getProperty("otel.traces.exporter") != null;
    boolean endpointGiven = System.getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != null
        || System.getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != null
        || System.getProperty("otel.exporter.otlp.endpoint") != null
        // an endpoint in the node config (telemetry.otel) asks for export just as the variable does
        || cfg.otelOverrides().containsKey("otel.exporter.otlp.endpoint")
        || cfg.otelOverrides().containsKey("otel.exporter.otlp.traces.endpoint");
    // With no collector configured the embedded default exports nothing (and never retries a dead endpoint).
    defaults.put("otel.traces.exporter", exporterChosen || endpointGiven ? "otlp" : "none");
    defaults.putAll(cfg.otelOverrides());
    return AutoConfiguredOpenTelemetrySdk.builder()
        .addPropertiesSupplier(() -> defaults)
        .addResourceCustomizer((resource, props) -> {
          Resource ours = Resource.create(cfg.resourceAttributes());
          Resource merged = ours.merge(resource);
          // OTEL_SERVICE_NAME, when given, wins for every role; otherwise each role has its seed name.
          if (props.getString("otel.service.name") == null
              && !props.getMap("otel.resource.attributes").containsKey("service.name")) {
            merged = merged.merge(Resource.create(Attributes.of(SERVICE_NAME, serviceName)));
          }
          return merged;
        })
        .addSpanExporterCustomizer((exporter, props) -> exportStats.wrap(exporter))
        // the exporters' batch processors only see what the tail sampler keeps
        .addSpanProcessorCustomizer((processor, props) -> new TailSamplingProcessor(sampler, processor))
        .addTracerProviderCustomizer((builder, props) -> {
          builder.addSpanProcessor(new CorrelationProcessor());
          builder.addSpanProcessor(new Shared(new TailSamplingProcessor(sampler, traces.asProcessor())));
          // extra processors are raw taps (tests, debugging): they see every span, before sampling
          for (SpanProcessor p : extraProcessors) {
            builder.addSpanProcessor(new Shared(p));
          }
          return builder;
        })
        .disableShutdownHook()
        .build()
        .getOpenTelemetrySdk();
  }

  /** Flushes every SDK's exporter queue. */
  public CompletableResultCode flush() {
    List<CompletableResultCode> codes = new ArrayList<>();
    sdks.values().forEach(s -> codes.add(s.getSdkTracerProvider().forceFlush()));
    return CompletableResultCode.ofAll(codes);
  }

  @Override
  public void close() {
    if (sweeper != null) {
      sweeper.shutdownNow();
    }
    List<CompletableResultCode> codes = new ArrayList<>();
    sdks.values().forEach(s -> codes.add(s.shutdown()));
    CompletableResultCode.ofAll(codes).join(10, TimeUnit.SECONDS);
    extraProcessors.forEach(p -> p.shutdown().join(5, TimeUnit.SECONDS));
    sdks.clear();
    tracers.clear();
    metrics.close();
  }

  /** One processor serves every SDK; only {@link #close()} shuts it down, once. */
  private record Shared(SpanProcessor delegate) implements SpanProcessor {
    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
      delegate.onStart(parentContext, span);
    }

    @Override
    public boolean isStartRequired() {
      return delegate.isStartRequired();
    }

    @Override
    public void onEnd(ReadableSpan span) {
      delegate.onEnd(span);
    }

    @Override
    public boolean isEndRequired() {
      return delegate.isEndRequired();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode forceFlush() {
      return delegate.forceFlush();
    }
  }
}
