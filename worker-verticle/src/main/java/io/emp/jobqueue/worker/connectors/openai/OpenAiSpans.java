package io.emp.jobqueue.worker.connectors.openai;

import io.emp.jobqueue.core.telemetry.Attr;
import io.emp.jobqueue.core.telemetry.EventName;
import io.emp.jobqueue.core.model.Failure;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.core.telemetry.TraceContexts;
import io.emp.jobqueue.worker.spi.JobContext;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.List;

/**
 * The {@code openai.api.call} span of one job attempt (every HTTP retry included): its seed and
 * GenAI semantic-convention attributes, so the call itself reads as HTTP.
 */
final class OpenAiSpans {
  private final Span span;
  private final JobContext job;
  private final boolean captureContent;

  private OpenAiSpans(Span span, JobContext job, boolean captureContent) {
    this.span = span;
    this.job = job;
    this.captureContent = captureContent;
  }

  static OpenAiSpans start(JobContext job, OpenAiRequest req, URI base, boolean captureContent) {
    JsonObject b = req.body();
    Span span = job.tracer().spanBuilder(io.emp.jobqueue.core.telemetry.SpanName.OPENAI_CALL)
        .setParent(job.otelContext())
        .setSpanKind(SpanKind.CLIENT)
        .setAttribute(Attr.GEN_AI_PROVIDER_NAME, "openai")
        .setAttribute(Attr.GEN_AI_OPERATION_NAME, req.operation().genAiName)
        .setAttribute(Attr.GEN_AI_REQUEST_MODEL, req.model())
        .setAttribute(Attr.GEN_AI_OUTPUT_TYPE, req.operation().outputType)
        .setAttribute(Attr.GEN_AI_REQUEST_STREAM, req.stream())
        .setAttribute(Attr.OPENAI_MODEL, req.model())
        .setAttribute(Attr.OPENAI_ENDPOINT, req.operation().path)
        .setAttribute(Attr.SERVER_ADDRESS, base.getHost())
        .setAttribute(Attr.SERVER_PORT, (long) port(base))
        .setAttribute(Attr.HTTP_REQUEST_METHOD, "POST")
        .setAttribute(Attr.JOB_ID, job.jobId())
        .startSpan();
    Integer maxTokens = req.maxTokens();
    if (maxTokens != null) {
      span.setAttribute(Attr.GEN_AI_REQUEST_MAX_TOKENS, (long) maxTokens);
      span.setAttribute(Attr.OPENAI_MAX_TOKENS, (long) maxTokens);
    }
    if (b.getValue("temperature") instanceof Number t) {
      span.setAttribute(Attr.GEN_AI_REQUEST_TEMPERATURE, t.doubleValue());
      span.setAttribute(Attr.OPENAI_TEMPERATURE, t.doubleValue());
    }
    if (b.getValue("top_p") instanceof Number p) {
      span.setAttribute(Attr.GEN_AI_REQUEST_TOP_P, p.doubleValue());
    }
    if (req.operation() == OpenAiRequest.Operation.IMAGE) {
      setIfPresent(span, Attr.IMAGE_SIZE, b.getString("size"));
      setIfPresent(span, Attr.IMAGE_QUALITY, b.getString("quality"));
      setIfPresent(span, Attr.IMAGE_STYLE, b.getString("style"));
      setIfPresent(span, Attr.IMAGE_FORMAT, b.getString("response_format", b.getString("output_format")));
    }
    if (captureContent) {
      Object input = req.operation() == OpenAiRequest.Operation.CHAT ? (Object) b.getValue("messages")
          : b.getValue("prompt");
      span.setAttribute(Attr.GEN_AI_INPUT_MESSAGES, String.valueOf(input));
    }
    return new OpenAiSpans(span, job, captureContent);
  }

  /** W3C headers naming this span as the parent, so a provider's own traces can join the job's. */
  TraceContext outbound() {
    return TraceContexts.inject(job.otelContext().with(span));
  }

  void resend(int n) {
    span.setAttribute(Attr.HTTP_REQUEST_RESEND_COUNT, (long) n);
  }

  void responseTime(long startedNanos) {
    span.setAttribute(Attr.OPENAI_RESPONSE_TIME_MS, (System.nanoTime() - startedNanos) / 1_000_000);
  }

  void firstChunk(long startedNanos) {
    span.setAttribute(Attr.OPENAI_TIME_TO_FIRST_CHUNK_MS, (System.nanoTime() - startedNanos) / 1_000_000);
  }

  void response(int status, RateLimits l) {
    span.setAttribute(Attr.HTTP_RESPONSE_STATUS_CODE, (long) status);
    if (l.requestId() != null) {
      span.setAttribute(Attr.OPENAI_REQUEST_ID, l.requestId());
    }
    if (l.processingMs() != null) {
      span.setAttribute(Attr.OPENAI_PROCESSING_MS, l.processingMs());
    }
    if (l.remainingRequests() != null) {
      span.setAttribute(Attr.OPENAI_RATE_LIMIT_REMAINING, l.remainingRequests());
    }
    if (l.resetRequests() != null) {
      span.setAttribute(Attr.OPENAI_RATE_LIMIT_RESET, l.resetRequests().toMillis());
    }
    if (l.remainingTokens() != null) {
      span.setAttribute(Attr.OPENAI_RATE_LIMIT_REMAINING_TOKENS, l.remainingTokens());
    }
    if (l.resetTokens() != null) {
      span.setAttribute(Attr.OPENAI_RATE_LIMIT_RESET_TOKENS, l.resetTokens().toMillis());
    }
  }

  void retry(int resendCount, long delayMs, Failure f) {
    span.addEvent(EventName.OPENAI_REQUEST_RETRY, Attributes.builder()
        .put(Attr.HTTP_REQUEST_RESEND_COUNT, resendCount)
        .put(Attr.RETRY_DELAY_MS, delayMs)
        .put(Attr.ERROR_TYPE, f.code() != null ? f.code() : f.type())
        .build());
  }

  void usage(JsonObject usage) {
    Long in = usage.getLong("prompt_tokens", usage.getLong("input_tokens"));
    Long out = usage.getLong("completion_tokens", usage.getLong("output_tokens"));
    Long total = usage.getLong("total_tokens");
    if (in != null) {
      span.setAttribute(Attr.GEN_AI_USAGE_INPUT_TOKENS, in);
      span.setAttribute(Attr.OPENAI_PROMPT_TOKENS, in);
    }
    if (out != null) {
      span.setAttribute(Attr.GEN_AI_USAGE_OUTPUT_TOKENS, out);
      span.setAttribute(Attr.OPENAI_COMPLETION_TOKENS, out);
    }
    if (total != null) {
      span.setAttribute(Attr.OPENAI_TOTAL_TOKENS, total);
    }
  }

  void chat(JsonObject body, List<String> finishReasons, JsonArray outputs) {
    setIfPresent(span, Attr.GEN_AI_RESPONSE_ID, body.getString("id"));
    setIfPresent(span, Attr.GEN_AI_RESPONSE_MODEL, body.getString("model"));
    setIfPresent(span, Attr.OPENAI_RESPONSE_SERVICE_TIER, body.getString("service_tier"));
    if (!finishReasons.isEmpty()) {
      span.setAttribute(AttributeKey.stringArrayKey(Attr.GEN_AI_RESPONSE_FINISH_REASONS), finishReasons);
    }
    if (captureContent) {
      span.setAttribute(Attr.GEN_AI_OUTPUT_MESSAGES, outputs.encode());
    }
  }

  void images(int count) {
    span.setAttribute(Attr.OPENAI_IMAGE_COUNT, (long) count);
  }

  /** Ends the span; {@code failure} null for a success. */
  void end(Failure failure) {
    if (failure != null) {
      span.setAttribute(Attr.ERROR_TYPE, failure.code() != null ? failure.code() : failure.type());
      if (failure.kind() != Failure.Kind.CANCELLED) {
        span.setStatus(StatusCode.ERROR, failure.type());
      }
    }
    span.end();
  }

  private static void setIfPresent(Span span, String key, String value) {
    if (value != null) {
      span.setAttribute(key, value);
    }
  }

  static int port(URI u) {
    return u.getPort() != -1 ? u.getPort() : "https".equals(u.getScheme()) ? 443 : 80;
  }
}
