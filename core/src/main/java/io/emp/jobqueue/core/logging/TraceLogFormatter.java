package io.emp.jobqueue.core.logging;

import io.emp.jobqueue.core.telemetry.Attr;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * The JUL formatter of every log line (System.Logger goes to JUL). A line written while a job or a
 * request is in scope (its OpenTelemetry context is current: the gateway keeps each request's span
 * current for the request, the worker logs a job's lines inside its job.processing context) carries
 * {@code trace_id}, {@code span_id} and {@code job_id}, so a log line leads to its trace and job.
 *
 * <p>Two layouts: human-readable text (the default) with the ids appended as {@code key=value}, or
 * one JSON object per line for log shippers ({@code EMP_LOG_FORMAT=json}).
 */
public final class TraceLogFormatter extends Formatter {
  private static final AttributeKey<String> JOB_ID = AttributeKey.stringKey(Attr.JOB_ID);
  private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_INSTANT;
  private static final DateTimeFormatter TEXT_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
      .withZone(ZoneOffset.UTC);

  private final boolean json;

  public TraceLogFormatter(boolean json) {
    this.json = json;
  }

  /** The ids of the current scope; null fields when there is none. */
  record Scope(String traceId, String spanId, String jobId) {
    static Scope current() {
      Span span = Span.current();
      SpanContext sc = span.getSpanContext();
      String jobId = null;
      if (span instanceof ReadableSpan rs) {
        jobId = rs.getAttribute(JOB_ID);
      }
      if (jobId == null) {
        jobId = Baggage.current().getEntryValue(Attr.JOB_ID);
      }
      return sc.isValid() ? new Scope(sc.getTraceId(), sc.getSpanId(), jobId) : new Scope(null, null, jobId);
    }
  }

  @Override
  public String format(LogRecord r) {
    Scope scope = Scope.current();
    String message = formatMessage(r);
    String thrown = r.getThrown() == null ? null : stackTrace(r.getThrown());
    if (json) {
      JsonObject o = new JsonObject().put("timestamp", TIME.format(r.getInstant()))
          .put("level", r.getLevel().getName()).put("logger", r.getLoggerName())
          .put("thread", Thread.currentThread().getName()).put("message", message);
      putIf(o, "trace_id", scope.traceId());
      putIf(o, "span_id", scope.spanId());
      putIf(o, "job_id", scope.jobId());
      putIf(o, "exception", thrown);
      return o.encode() + System.lineSeparator();
    }
    StringBuilder sb = new StringBuilder(160).append(TEXT_TIME.format(r.getInstant())).append(' ')
        .append(String.format("%-7s", r.getLevel().getName())).append(' ').append(r.getLoggerName()).append(": ")
        .append(message);
    if (scope.traceId() != null) {
      sb.append("  trace_id=").append(scope.traceId()).append(" span_id=").append(scope.spanId());
    }
    if (scope.jobId() != null) {
      sb.append(scope.traceId() == null ? "  " : " ").append("job_id=").append(scope.jobId());
    }
    sb.append(System.lineSeparator());
    if (thrown != null) {
      sb.append(thrown);
    }
    return sb.toString();
  }

  private static void putIf(JsonObject o, String k, String v) {
    if (v != null) {
      o.put(k, v);
    }
  }

  private static String stackTrace(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }
}
