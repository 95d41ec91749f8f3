package io.emp.jobqueue.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.emp.jobqueue.testing.Promtool;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MetricsTest {

  private static String text(Metrics.Scrape s) {
    return new String(s.body(), StandardCharsets.UTF_8);
  }

  @Test
  void everyFamilyHasHelpAndTheTextFormatPassesPromtool() {
    Metrics m = Metrics.prometheus(MetricsConfig.DEFAULTS);
    m.record(m.timer(MetricNames.JOB_PROCESSING, "simulation", "completed"), TimeUnit.MILLISECONDS.toNanos(40),
        null, null);
    m.counter(MetricNames.JOB_ATTEMPTS, "simulation", "completed").increment();
    m.gauge(MetricNames.WORKER_SLOTS, "m1", "simulation").set(4);

    Metrics.Scrape s = m.scrape("text/plain");
    assertThat(s.contentType()).startsWith("text/plain; version=0.0.4");
    String body = text(s);
    assertThat(body).contains("# HELP emp_job_processing_seconds ")
        .contains("emp_job_processing_seconds_bucket{outcome=\"completed\",service=\"simulation\",le=\"0.05\"} 1")
        .contains("emp_job_attempts_total{outcome=\"completed\",service=\"simulation\"} 1.0")
        .contains("emp_worker_slots{machine=\"m1\",service=\"simulation\"} 4.0")
        // the SLA promises and objectives come from the configuration
        .contains("emp_sla_promised_seconds{tier=\"vip\"} 30.0")
        .contains("emp_sla_objective_ratio{tier=\"standard\"} 0.95");
    Promtool.Result lint = Promtool.checkMetrics(body);
    assertThat(lint.output()).as("promtool check metrics").isBlank();
    assertThat(lint.exitCode()).isZero();
  }

  @Test
  void exemplarsOnlyForKeptTracesAndOnlyInOpenMetrics() {
    Metrics m = Metrics.prometheus(MetricsConfig.DEFAULTS);
    String kept = "4bf92f3577b34da6a3ce929d0e0e4736";
    // a dropped trace's job: recorded, never an exemplar
    m.record(m.timer(MetricNames.JOB_PROCESSING, "svc-dropped", "completed"), TimeUnit.SECONDS.toNanos(3), null,
        null);
    m.record(m.timer(MetricNames.JOB_PROCESSING, "svc-kept", "completed"), TimeUnit.SECONDS.toNanos(3), kept,
        "00f067aa0ba902b7");

    Metrics.Scrape om = m.scrape("application/openmetrics-text; version=1.0.0,text/plain;q=0.5");
    assertThat(om.contentType()).startsWith("application/openmetrics-text");
    String body = text(om);
    assertThat(body).contains("trace_id=\"" + kept + "\"").endsWith("# EOF\n");
    String dropped = body.lines().filter(l -> l.contains("svc-dropped")).reduce("", (a, b) -> a + b + "\n");
    assertThat(dropped).isNotEmpty().doesNotContain("trace_id");
    assertThat(text(m.scrape(null))).as("the Prometheus text format has no exemplars").doesNotContain("trace_id");
  }

  @Test
  void disabledMetricsRecordNothingAndServeNothing() {
    Metrics m = Metrics.disabled();
    m.record(m.timer(MetricNames.JOB_PROCESSING, "simulation", "completed"), 1, "a", "b");
    m.counter(MetricNames.ERRORS, "worker", "timeout").increment();
    assertThat(m.enabled()).isFalse();
    assertThat(m.scrape(null)).isNull();
  }

  @Test
  void labelValuesFromOutsideAreCapped() {
    BoundedLabels b = new BoundedLabels(2);
    assertThat(b.admit("model", "a")).isEqualTo("a");
    assertThat(b.admit("model", "b")).isEqualTo("b");
    assertThat(b.admit("model", "c")).isEqualTo(BoundedLabels.OTHER);
    assertThat(b.admit("model", "a")).isEqualTo("a");
    assertThat(b.admit("endpoint", "c")).as("each label has its own budget").isEqualTo("c");
    assertThat(b.admit("model", null)).isEqualTo(BoundedLabels.NONE);
  }

  @Test
  void everyCatalogueFamilyHasHelpAndItsLabels() {
    assertThat(MetricNames.ALL).hasSizeGreaterThan(40);
    assertThat(MetricNames.ALL.stream().map(MetricNames.Def::family).distinct()).hasSameSizeAs(MetricNames.ALL);
    for (MetricNames.Def d : MetricNames.ALL) {
      assertThat(d.family()).matches("emp_[a-z0-9_]+");
      assertThat(d.help()).isNotBlank();
      assertThat(d.recordedBy()).isNotBlank();
      assertThat(d.scope() == MetricNames.Scope.CLUSTER).as(d.meter() + " has scope label iff cluster scope")
          .isEqualTo(d.labels().contains(MetricNames.L_SCOPE));
      assertThat(d.labels()).as("never ids as labels").noneMatch(l -> l.endsWith("_id"));
    }
  }

  @Test
  void micrometersJvmAndProcessMetersPassPromtoolToo() {
    Metrics m = Metrics.prometheus(MetricsConfig.DEFAULTS);
    new io.micrometer.core.instrument.binder.jvm.JvmCompilationMetrics().bindTo(m.registry());
    new io.micrometer.core.instrument.binder.system.ProcessorMetrics().bindTo(m.registry());
    new io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics().bindTo(m.registry());
    String body = m.scrapeText();
    assertThat(body).doesNotContain("jvm_compilation_time_ms", "process_cpu_time_ns").contains("jvm_jit_compilation_time_seconds_total", "process_cpu_seconds_total", "system_cpu_cores");
    Promtool.Result lint = Promtool.checkMetrics(body);
    assertThat(lint.output()).as("promtool check metrics").isBlank();
    assertThat(lint.exitCode()).isZero();
  }

  @Test
  void theShippedConfigurationIsValidAndBadValuesAreRejected() throws Exception {
    io.vertx.core.json.JsonObject conf = new io.vertx.core.json.JsonObject(java.nio.file.Files.readString(
        Promtool.repoRoot().resolve("conf/emp.json")));
    MetricsConfig c = MetricsConfig.from(conf.getJsonObject("metrics"));
    assertThat(c.enabled()).isTrue();
    assertThat(c.sla().tier("vip").promisedMs()).isEqualTo(30_000);
    assertThat(c.sla().tier("standard").objective()).isEqualTo(0.95);
    assertThat(c.vertxCategories()).containsExactlyInAnyOrder("http.server", "http.client");
    assertThat(MeteredVertx.disabled(c.vertxCategories())).contains("eventbus", "pool", "net.client")
        .doesNotContain("http.server", "http.client");
    assertThat(MetricsConfig.from(new io.vertx.core.json.JsonObject().put("enabled", "false")).enabled())
        .as("EMP_METRICS=false arrives as a string").isFalse();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> MetricsConfig.from(new io.vertx.core.json.JsonObject()
        .put("vertx_categories", new io.vertx.core.json.JsonArray().add("evenbus"))))
        .hasMessageContaining("evenbus");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> MetricsConfig.from(new io.vertx.core.json.JsonObject()
        .put("anomaly", new io.vertx.core.json.JsonObject().put("alpha", 0)))).hasMessageContaining("alpha");
  }
}
