package io.emp.jobqueue.worker.connectors.openai;

import io.emp.jobqueue.core.model.Failure;
import io.emp.jobqueue.core.model.SecretRedactor;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.worker.spi.ConnectorException;
import io.emp.jobqueue.worker.spi.JobCancelledException;
import io.emp.jobqueue.worker.spi.JobContext;
import io.emp.jobqueue.worker.spi.ProgressSink;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;

/**
 * One job's call to the API with its HTTP retries (backoff, or the server's hint) within the job's
 * deadline. Every field is touched only on {@code context}, so a call needs no locks.
 */
final class OpenAiCall {
  static final String USER_AGENT = "emp-job-queue-worker";
  private static final System.Logger LOG = System.getLogger(OpenAiCall.class.getName());

  /** A successful response: parsed body, rate-limit headers, and the span to finish decorating. */
  record Reply(JsonObject body, RateLimits limits, OpenAiSpans spans) {
  }

  private final Vertx vertx;
  private final WebClient client;
  private final HttpClientAgent httpClient;
  private final OpenAiConfig cfg;
  private final SecretRedactor redactor;
  private final JobContext job;
  private final OpenAiRequest req;
  private final OpenAiSpans span;
  private final ProgressSink progress;
  private final Context context;
  private final Promise<Reply> promise = Promise.promise();
  private boolean done;
  private long retryTimer = -1;

  OpenAiCall(Vertx vertx, WebClient client, HttpClientAgent httpClient, OpenAiConfig cfg, SecretRedactor redactor,
             JobContext job, OpenAiRequest req, OpenAiSpans span, ProgressSink progress, Context context) {
    this.vertx = vertx;
    this.client = client;
    this.httpClient = httpClient;
    this.cfg = cfg;
    this.redactor = redactor;
    this.job = job;
    this.req = req;
    this.span = span;
    this.progress = progress;
    this.context = context;
  }

  Context context() {
    return context;
  }

  Future<Reply> reply() {
    return promise.future();
  }

  void attempt(int n) {
    if (done) {
      return;
    }
    long remaining = job.remainingMs();
    if (remaining <= 0) {
      finish(new ConnectorException(Failure.retryable("timeout", "job deadline reached before the openai call")));
      return;
    }
    if (n > 0) {
      span.resend(n);
    }
    long started = System.nanoTime();
    if (req.stream()) {
      attemptStream(n, remaining, started);
      return;
    }
    // The whole attempt may use what is left of the job's deadline, never a shorter fixed timeout.
    client.postAbs(cfg.baseUrl() + req.operation().path).timeout(remaining)
        .putHeaders(headers("application/json"))
        .sendJsonObject(req.body()).onComplete(ar -> {
          if (done) {
            return;
          }
          span.responseTime(started);
          if (ar.failed()) {
            onIoFailure(n, ar.cause());
          } else {
            onResponse(n, ar.result());
          }
        });
  }

  /** The request headers: content type, credentials, and the span's W3C trace context. */
  private MultiMap headers(String accept) {
    MultiMap h = MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json").add("Accept", accept)
        .add("User-Agent", USER_AGENT);
    if (cfg.apiKey() != null) {
      h.add("Authorization", "Bearer " + cfg.apiKey());
    }
    if (cfg.organization() != null) {
      h.add("OpenAI-Organization", cfg.organization());
    }
    if (cfg.project() != null) {
      h.add("OpenAI-Project", cfg.project());
    }
    TraceContext trace = span.outbound();
    if (trace.traceparent() != null) {
      h.add("traceparent", trace.traceparent());
      if (trace.tracestate() != null && !trace.tracestate().isEmpty()) {
        h.add("tracestate", trace.tracestate());
      }
    }
    return h;
  }

  private void onIoFailure(int n, Throwable cause) {
    if (cause instanceof TimeoutException && job.remainingMs() <= 0) {
      finish(new ConnectorException(Failure.retryable("timeout", "openai call exceeded the job deadline"), cause));
      return;
    }
    Failure f = new Failure(Failure.Kind.RETRYABLE, "network_error", null, String.valueOf(cause.getMessage()),
        cause.getClass().getSimpleName());
    retryOrFail(n, f, null, cause);
  }

  private void onResponse(int n, HttpResponse<Buffer> resp) {
    RateLimits limits = RateLimits.from(resp.headers());
    span.response(resp.statusCode(), limits);
    if (resp.statusCode() / 100 == 2) {
      JsonObject body;
      try {
        body = resp.bodyAsJsonObject();
      } catch (RuntimeException badJson) {
        retryOrFail(n, Failure.retryable("service_error", "openai returned a body that is not JSON"), null, badJson);
        return;
      }
      progress.report(90, "openai responded");
      finishOk(new Reply(body == null ? new JsonObject() : body, limits, span));
      return;
    }
    JsonObject error = OpenAiErrors.errorObject(resp.bodyAsString());
    Failure f = OpenAiErrors.classify(resp.statusCode(), error, resp.headers());
    LOG.log(System.Logger.Level.INFO, "openai {0} answered {1} ({2}), request id {3}", req.operation().path,
        resp.statusCode(), f.code(), limits.requestId());
    retryOrFail(n, f, resp.headers(), null);
  }

  /**
   * Streamed chat: errors before the first byte follow the normal retry path; once tokens flow the
   * answer is being billed, so a broken stream fails the attempt (retryable by the queue) instead.
   */
  private void attemptStream(int n, long remaining, long started) {
    RequestOptions o = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(cfg.baseUrl()
        + req.operation().path).setIdleTimeout(remaining).setHeaders(headers("text/event-stream"));
    // A stream that keeps trickling never trips the idle timeout: the deadline ends it.
    long deadline = vertx.setTimer(Math.max(1, remaining), t -> finish(new ConnectorException(
        Failure.retryable("timeout", "openai stream exceeded the job deadline"))));
    httpClient.request(o).compose(r -> r.send(req.body().toBuffer())).onComplete(ar -> {
      if (done || ar.failed()) {
        vertx.cancelTimer(deadline);
        if (!done) {
          onIoFailure(n, ar.cause());
        }
        return;
      }
      HttpClientResponse resp = ar.result();
      RateLimits limits = RateLimits.from(resp.headers());
      span.response(resp.statusCode(), limits);
      if (resp.statusCode() != 200) {
        resp.body().onComplete(body -> {
          vertx.cancelTimer(deadline);
          if (!done) {
            JsonObject error = OpenAiErrors.errorObject(body.succeeded() ? body.result().toString() : null);
            retryOrFail(n, OpenAiErrors.classify(resp.statusCode(), error, resp.headers()), resp.headers(), null);
          }
        });
        return;
      }
      ChatStream acc = new ChatStream();
      SseParser parser = new SseParser(data -> onStreamData(acc, data, started));
      resp.handler(parser::feed);
      resp.exceptionHandler(e -> {
        vertx.cancelTimer(deadline);
        finish(new ConnectorException(new Failure(Failure.Kind.RETRYABLE, "network_error", "stream_broken",
            "openai stream broke after " + acc.chunks() + " chunks", e.getClass().getSimpleName()), e));
      });
      resp.endHandler(v -> {
        vertx.cancelTimer(deadline);
        span.responseTime(started);
        if (!acc.complete()) {
          finish(new ConnectorException(new Failure(Failure.Kind.RETRYABLE, "network_error", "stream_truncated",
              "openai stream ended without a finish reason", null)));
          return;
        }
        progress.report(90, "openai stream complete");
        finishOk(new Reply(acc.toBody(), limits, span));
      });
    });
  }

  private void onStreamData(ChatStream acc, String data, long started) {
    if (done) {
      return;
    }
    if ("[DONE]".equals(data.trim())) {
      acc.markDone();
      return;
    }
    JsonObject chunk;
    try {
      chunk = new JsonObject(data);
    } catch (RuntimeException notJson) {
      return;
    }
    if (acc.chunks() == 0) {
      span.firstChunk(started);
    }
    if (!acc.add(chunk)) {
      JsonObject error = ChatStream.error(chunk);
      finish(new ConnectorException(new Failure(Failure.Kind.RETRYABLE, "service_error", "stream_error",
          error.getString("message", "openai stream error"), error.getString("code", error.getString("type")))));
      return;
    }
    // One chunk is roughly one token: progress runs towards max_tokens when known.
    Integer maxTokens = req.maxTokens();
    int pct = maxTokens != null && maxTokens > 0 ? 10 + Math.min(80, acc.chunks() * 80 / maxTokens)
        : Math.min(85, 10 + acc.chunks());
    progress.report(pct, "streaming");
  }

  private void retryOrFail(int n, Failure f, MultiMap headers, Throwable cause) {
    f = redactor.redact(f);
    if (f.kind() != Failure.Kind.RETRYABLE || n >= cfg.maxRetries()) {
      finish(new ConnectorException(f, cause));
      return;
    }
    Long hinted = OpenAiErrors.serverRetryDelayMs(headers, System.currentTimeMillis());
    long delay = hinted != null ? hinted : backoffMs(n + 1);
    if (delay >= job.remainingMs()) {
      // Waiting would outlive the job: give the retry back to the queue instead of sleeping past the deadline.
      finish(new ConnectorException(f, cause));
      return;
    }
    span.retry(n + 1, delay, f);
    retryTimer = vertx.setTimer(Math.max(1, delay), t -> attempt(n + 1));
  }

  private long backoffMs(int retry) {
    long exp = cfg.initialBackoffMs() * (1L << Math.min(20, retry - 1));
    double jitter = 0.75 + ThreadLocalRandom.current().nextDouble() * 0.25;
    return (long) (Math.min(cfg.maxBackoffMs(), exp) * jitter);
  }

  void cancel() {
    if (retryTimer >= 0) {
      vertx.cancelTimer(retryTimer);
    }
    finish(new JobCancelledException("openai call cancelled; a request already sent may still be billed"));
  }

  private void finishOk(Reply r) {
    done = true;
    promise.tryComplete(r);
  }

  private void finish(Throwable t) {
    done = true;
    // provider text never leaves the connector unredacted, not even on its own span
    if (t instanceof ConnectorException ce && redactor.redact(ce.failure()) != ce.failure()) {
      t = new ConnectorException(redactor.redact(ce.failure()), ce.getCause());
    }
    promise.tryFail(t);
  }
}
