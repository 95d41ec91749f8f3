package io.emp.jobqueue.core.logging;

import io.emp.jobqueue.core.telemetry.Attr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TraceLogFormatterTest {
  static final SdkTracerProvider PROVIDER = SdkTracerProvider.builder().addSpanProcessor(
      io.opentelemetry.sdk.trace.export.SimpleSpanProcessor.create(
          io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter.create())).build();
  static final Tracer TRACER = PROVIDER.get("test");
  final List<String> lines = new CopyOnWriteArrayList<>();
  Logger jul;
  Handler capture;
  boolean json;

  @BeforeEach
  void capture() {
    jul = Logger.getLogger("emp.log.test." + System.nanoTime());
    jul.setUseParentHandlers(false);
    capture = new Handler() {
      @Override
      public void publish(LogRecord r) {
        // formats on the logging thread, as the console handler does
        lines.add(new TraceLogFormatter(json).format(r));
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    };
    jul.addHandler(capture);
  }

  @AfterEach
  void release() {
    jul.removeHandler(capture);
  }

  System.Logger logger() {
    return System.getLogger(jul.getName());
  }

  @Test
  void aJsonLineInAJobScopeCarriesTraceSpanAndJobIds() {
    json = true;
    Span span = TRACER.spanBuilder("job.processing").setAttribute(Attr.JOB_ID, "job-42").startSpan();
    LogFormat.log(logger(), System.Logger.Level.WARNING, Context.root().with(span), "attempt \"ended\"",
        new IllegalStateException("boom"));
    span.end();
    JsonObject line = new JsonObject(lines.get(0));
    assertThat(lines.get(0)).endsWith(System.lineSeparator()).doesNotContain("\n{");
    assertThat(line.getString("trace_id")).isEqualTo(span.getSpanContext().getTraceId());
    assertThat(line.getString("span_id")).isEqualTo(span.getSpanContext().getSpanId());
    assertThat(line.getString("job_id")).isEqualTo("job-42");
    assertThat(line.getString("level")).isEqualTo("WARNING");
    assertThat(line.getString("message")).isEqualTo("attempt \"ended\"");
    assertThat(line.getString("logger")).isEqualTo(jul.getName());
    assertThat(line.getString("exception")).contains("IllegalStateException: boom");
    assertThat(line.getString("timestamp")).endsWith("Z");
  }

  @Test
  void theTextLineAppendsTheIdsAndStaysReadable() {
    Span span = TRACER.spanBuilder("http.request.received").startSpan();
    try (Scope s = span.makeCurrent()) {
      logger().log(System.Logger.Level.INFO, "GET /api/jobs/{0}", "j1");
    }
    span.end();
    assertThat(lines.get(0)).contains("INFO", jul.getName() + ": GET /api/jobs/j1",
        "trace_id=" + span.getSpanContext().getTraceId(), "span_id=" + span.getSpanContext().getSpanId())
        .doesNotContain("job_id").doesNotStartWith("{");
  }

  @Test
  void outsideAnyScopeThereAreNoIds() {
    json = true;
    logger().log(System.Logger.Level.INFO, "started");
    json = false;
    logger().log(System.Logger.Level.INFO, "started");
    assertThat(new JsonObject(lines.get(0)).fieldNames()).doesNotContain("trace_id", "span_id", "job_id");
    assertThat(lines.get(1)).doesNotContain("trace_id");
  }

  @Test
  void theFormatIsChosenByEmpLogFormat() {
    assertThat(LogFormat.json(Map.of())).isFalse();
    assertThat(LogFormat.json(Map.of(LogFormat.ENV, "JSON"))).isTrue();
    assertThat(LogFormat.json(Map.of(LogFormat.ENV, "text"))).isFalse();
    assertThatThrownBy(() -> LogFormat.json(Map.of(LogFormat.ENV, "xml"))).hasMessageContaining(LogFormat.ENV);
    Level.parse("INFO");
  }
}
