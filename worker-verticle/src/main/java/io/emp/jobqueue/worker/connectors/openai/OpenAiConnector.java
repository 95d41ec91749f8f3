package io.emp.jobqueue.worker.connectors.openai;

import io.emp.jobqueue.core.model.Failure;
import io.emp.jobqueue.core.model.SecretRedactor;
import io.emp.jobqueue.core.telemetry.Seed;
import io.emp.jobqueue.worker.spi.Connector;
import io.emp.jobqueue.worker.spi.ConnectorException;
import io.emp.jobqueue.worker.spi.JobCancelledException;
import io.emp.jobqueue.worker.spi.JobContext;
import io.emp.jobqueue.worker.spi.ProgressSink;
import io.emp.jobqueue.worker.spi.ResultStore;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;

/**
 * Chat completions and image generations against the OpenAI HTTP API (or any compatible base URL)
 * with the non-blocking Vert.x WebClient. One {@code openai.api.call} span per job attempt covers
 * every HTTP retry ({@code http.request.resend_count}).
 */
public final class OpenAiConnector implements Connector {
  public static final String TYPE = "openai";
  private static final String USER_AGENT = "emp-job-queue-worker";
  private static final System.Logger LOG = System.getLogger(OpenAiConnector.class.getName());

  private final OpenAiConfig cfg;
  private final SecretRedactor redactor;
  private final URI base;
  private final Map<String, Call> inflight = new ConcurrentHashMap<>();
  private Vertx vertx;
  private WebClient client;
  private HttpClientAgent httpClient;

  public OpenAiConnector(OpenAiConfig cfg) {
    this.cfg = cfg;
    this.redactor = SecretRedactor.of(secrets());
    this.base = cfg.uri();
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Future<Void> start(Vertx vertx) {
    this.vertx = vertx;
    this.httpClient = vertx.createHttpClient(new HttpClientOptions());
    this.client = WebClient.wrap(httpClient, new WebClientOptions().setUserAgent(USER_AGENT)
        .setFollowRedirects(false));
    if (cfg.apiKey() == null || cfg.apiKey().isBlank()) {
      LOG.log(System.Logger.Level.WARNING, "OpenAI connector started without an API key; calls will fail with auth_error");
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<JsonObject> process(JobContext job, ProgressSink progress) {
    OpenAiRequest req;
    try {
      req = OpenAiRequest.from(job.job(), cfg);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new ConnectorException(Failure.permanent("validation_error", e.getMessage()), e));
    }
    Span span = startSpan(job, req);
    // Attempts, retry timers and cancel all run on this one context, so a call needs no locks.
    Context context = vertx.getOrCreateContext();
    Call call = new Call(job, req, span, progress, context);
    inflight.put(job.jobId(), call);
    progress.report(5, "calling openai " + req.operation().path);
    context.runOnContext(v -> call.attempt(0));
    return call.promise.future()
        .compose(resp -> resultOf(job, req, resp))
        .onComplete(ar -> {
          inflight.remove(job.jobId(), call);
          if (ar.failed()) {
            Failure f = classify(ar.cause());
            span.setAttribute(Seed.Attr.ERROR_TYPE, f.code() != null ? f.code() : f.type());
            if (f.kind() != Failure.Kind.CANCELLED) {
              span.setStatus(StatusCode.ERROR, f.type());
            }
          }
          span.end();
        });
  }

  @Override
  public Future<Void> cancel(String jobId) {
    Call call = inflight.get(jobId);
    if (call != null) {
      call.context.runOnContext(v -> call.cancel());
    }
    return Future.succeededFuture();
  }

  /** The API key; a provider may echo it back in an error message ("Incorrect API key provided: ..."). */
  @Override
  public List<String> secrets() {
    return cfg.apiKey() == null ? List.of() : List.of(cfg.apiKey());
  }

  @Override
  public ExternalService externalService() {
    return new ExternalService(TYPE, cfg.baseUrl(), null);
  }

  @Override
  public Future<Void> stop() {
    inflight.values().forEach(call -> call.context.runOnContext(v -> call.cancel()));
    if (client != null) {
      client.close();
    }
    return httpClient == null ? Future.succeededFuture() : httpClient.close();
  }

  private Span startSpan(JobContext job, OpenAiRequest req) {
    JsonObject b = req.body();
    Span span = job.tracer().spanBuilder(Seed.Span.OPENAI_CALL).setParent(job.otelContext())
        .setSpanKind(SpanKind.CLIENT)
        .setAttribute(Seed.Attr.GEN_AI_PROVIDER_NAME, "openai")
        .setAttribute(Seed.Attr.GEN_AI_OPERATION_NAME, req.operation().genAiName)
        .setAttribute(Seed.Attr.GEN_AI_REQUEST_MODEL, req.model())
        .setAttribute(Seed.Attr.GEN_AI_OUTPUT_TYPE, req.operation().outputType)
        .setAttribute(Seed.Attr.GEN_AI_REQUEST_STREAM, req.stream())
        .setAttribute(Seed.Attr.OPENAI_MODEL, req.model())
        .setAttribute(Seed.Attr.OPENAI_ENDPOINT, req.operation().path)
        .setAttribute(Seed.Attr.SERVER_ADDRESS, base.getHost())
        .setAttribute(Seed.Attr.SERVER_PORT, (long) port(base))
        .setAttribute(Seed.Attr.HTTP_REQUEST_METHOD, "POST")
        .setAttribute(Seed.Attr.JOB_ID, job.jobId())
        .startSpan();
    Integer maxTokens = b.getInteger("max_completion_tokens", b.getInteger("max_tokens"));
    if (maxTokens != null) {
      span.setAttribute(Seed.Attr.GEN_AI_REQUEST_MAX_TOKENS, (long) maxTokens);
      span.setAttribute(Seed.Attr.OPENAI_MAX_TOKENS, (long) maxTokens);
    }
    if (b.getValue("temperature") instanceof Number t) {
      span.setAttribute(Seed.Attr.GEN_AI_REQUEST_TEMPERATURE, t.doubleValue());
      span.setAttribute(Seed.Attr.OPENAI_TEMPERATURE, t.doubleValue());
    }
    if (b.getValue("top_p") instanceof Number p) {
      span.setAttribute(Seed.Attr.GEN_AI_REQUEST_TOP_P, p.doubleValue());
    }
    if (req.operation() == OpenAiRequest.Operation.IMAGE) {
      setIfPresent(span, Seed.Attr.IMAGE_SIZE, b.getString("size"));
      setIfPresent(span, Seed.Attr.IMAGE_QUALITY, b.getString("quality"));
      setIfPresent(span, Seed.Attr.IMAGE_STYLE, b.getString("style"));
      setIfPresent(span, Seed.Attr.IMAGE_FORMAT, b.getString("response_format", b.getString("output_format")));
    }
    if (cfg.captureContent()) {
      Object input = req.operation() == OpenAiRequest.Operation.CHAT ? (Object) b.getValue("messages")
          : b.getValue("prompt");
      span.setAttribute(Seed.Attr.GEN_AI_INPUT_MESSAGES, String.valueOf(input));
    }
    return span;
  }

  /** Turns a 2xx response into the job result; images are stored, URLs referenced. */
  private Future<JsonObject> resultOf(JobContext job, OpenAiRequest req, Reply reply) {
    JsonObject body = reply.body();
    Span span = reply.span();
    JsonObject usage = body.getJsonObject("usage");
    if (usage != null) {
      Long in = usage.getLong("prompt_tokens", usage.getLong("input_tokens"));
      Long out = usage.getLong("completion_tokens", usage.getLong("output_tokens"));
      Long total = usage.getLong("total_tokens");
      if (in != null) {
        span.setAttribute(Seed.Attr.GEN_AI_USAGE_INPUT_TOKENS, in);
        span.setAttribute(Seed.Attr.OPENAI_PROMPT_TOKENS, in);
      }
      if (out != null) {
        span.setAttribute(Seed.Attr.GEN_AI_USAGE_OUTPUT_TOKENS, out);
        span.setAttribute(Seed.Attr.OPENAI_COMPLETION_TOKENS, out);
      }
      if (total != null) {
        span.setAttribute(Seed.Attr.OPENAI_TOTAL_TOKENS, total);
      }
    }
    JsonObject result = new JsonObject().put("operation", req.operation().genAiName).put("model", req.model());
    if (reply.limits().requestId() != null) {
      result.put("request_id", reply.limits().requestId());
    }
    if (usage != null) {
      result.put("usage", usage);
    }
    if (req.operation() == OpenAiRequest.Operation.CHAT) {
      return Future.succeededFuture(chatResult(body, span, result));
    }
    return imageResult(job, body, span, result);
  }

  private JsonObject chatResult(JsonObject body, Span span, JsonObject result) {
    setIfPresent(span, Seed.Attr.GEN_AI_RESPONSE_ID, body.getString("id"));
    setIfPresent(span, Seed.Attr.GEN_AI_RESPONSE_MODEL, body.getString("model"));
    setIfPresent(span, Seed.Attr.OPENAI_RESPONSE_SERVICE_TIER, body.getString("service_tier"));
    JsonArray choices = body.getJsonArray("choices", new JsonArray());
    List<String> reasons = new ArrayList<>();
    JsonArray outputs = new JsonArray();
    for (int i = 0; i < choices.size(); i++) {
      JsonObject c = choices.getJsonObject(i);
      if (c.getString("finish_reason") != null) {
        reasons.add(c.getString("finish_reason"));
      }
      outputs.add(c.getJsonObject("message", new JsonObject()));
    }
    if (!reasons.isEmpty()) {
      span.setAttribute(AttributeKey.stringArrayKey(Seed.Attr.GEN_AI_RESPONSE_FINISH_REASONS), reasons);
    }
    if (cfg.captureContent()) {
      span.setAttribute(Seed.Attr.GEN_AI_OUTPUT_MESSAGES, outputs.encode());
    }
    JsonObject first = outputs.isEmpty() ? new JsonObject() : outputs.getJsonObject(0);
    return result.put("id", body.getString("id")).put("response_model", body.getString("model"))
        .put("content", first.getValue("content")).put("finish_reason", reasons.isEmpty() ? null : reasons.get(0))
        .put("message", first);
  }

  private Future<JsonObject> imageResult(JobContext job, JsonObject body, Span span, JsonObject result) {
    JsonArray data = body.getJsonArray("data", new JsonArray());
    if (data.isEmpty()) {
      return Future.failedFuture(new ConnectorException(
          Failure.retryable("service_error", "openai returned no images")));
    }
    String ext = body.getString("output_format", "png");
    String contentType = "image/" + ("jpg".equals(ext) ? "jpeg" : ext);
    List<Future<JsonObject>> images = new ArrayList<>();
    JsonArray revised = new JsonArray();
    for (int i = 0; i < data.size(); i++) {
      JsonObject d = data.getJsonObject(i);
      if (d.getString("revised_prompt") != null) {
        revised.add(d.getString("revised_prompt"));
      }
      String b64 = d.getString("b64_json");
      if (b64 != null) {
        String name = "image_" + i + "." + ext;
        // Base64 of a multi-megabyte image is too much work for an event loop.
        images.add(vertx.executeBlocking(() -> Buffer.buffer(Base64.getDecoder().decode(b64)))
            .compose(bytes -> job.results().store(job.jobId(), name, bytes, contentType))
            .map(OpenAiConnector::storedJson));
      } else if (d.getString("url") != null) {
        images.add(Future.succeededFuture(new JsonObject().put("url", d.getString("url"))));
      }
    }
    span.setAttribute(AttributeKey.longKey("openai.image_count"), (long) images.size());
    return Future.all(images).map(all -> {
      JsonArray out = new JsonArray();
      all.<JsonObject>list().forEach(out::add);
      result.put("created", body.getLong("created")).put("images", out);
      if (!revised.isEmpty()) {
        result.put("revised_prompts", revised);
      }
      return result;
    });
  }

  private static JsonObject storedJson(ResultStore.StoredResult s) {
    return new JsonObject().put("uri", s.uri()).put("bytes", s.bytes()).put("content_type", s.contentType())
        .put("sha256", s.sha256());
  }

  private static void setIfPresent(Span span, String key, String value) {
    if (value != null) {
      span.setAttribute(key, value);
    }
  }

  private static int port(URI u) {
    return u.getPort() != -1 ? u.getPort() : "https".equals(u.getScheme()) ? 443 : 80;
  }

  /** A successful response: parsed body and headers. */
  private record Reply(JsonObject body, RateLimits limits, Span span) {
  }

  /** One job's call with its retries. State is touched only on {@code context}. */
  private final class Call {
    private final JobContext job;
    private final OpenAiRequest req;
    private final Span span;
    private final ProgressSink progress;
    private final Context context;
    private final Promise<Reply> promise = Promise.promise();
    private boolean done;
    private long retryTimer = -1;

    Call(JobContext job, OpenAiRequest req, Span span, ProgressSink progress, Context context) {
      this.context = context;
      this.job = job;
      this.req = req;
      this.span = span;
      this.progress = progress;
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
        span.setAttribute(Seed.Attr.HTTP_REQUEST_RESEND_COUNT, (long) n);
      }
      long started = System.nanoTime();
      if (req.stream()) {
        attemptStream(n, remaining, started);
        return;
      }
      // The whole attempt may use what is left of the job's deadline, never a shorter fixed timeout.
      HttpRequest<Buffer> http = client.postAbs(cfg.baseUrl() + req.operation().path).timeout(remaining)
          .putHeader("Content-Type", "application/json").putHeader("Accept", "application/json");
      if (cfg.apiKey() != null) {
        http.putHeader("Authorization", "Bearer " + cfg.apiKey());
      }
      if (cfg.organization() != null) {
        http.putHeader("OpenAI-Organization", cfg.organization());
      }
      if (cfg.project() != null) {
        http.putHeader("OpenAI-Project", cfg.project());
      }
      http.sendJsonObject(req.body()).onComplete(ar -> {
        if (done) {
          return;
        }
        span.setAttribute(Seed.Attr.OPENAI_RESPONSE_TIME_MS, (System.nanoTime() - started) / 1_000_000);
        if (ar.failed()) {
          onIoFailure(n, ar.cause());
        } else {
          onResponse(n, ar.result());
        }
      });
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
      recordHeaders(limits);
      span.setAttribute(Seed.Attr.HTTP_RESPONSE_STATUS_CODE, (long) resp.statusCode());
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
              + req.operation().path).setIdleTimeout(remaining)
          .putHeader("Content-Type", "application/json").putHeader("Accept", "text/event-stream")
          .putHeader("User-Agent", USER_AGENT);
      if (cfg.apiKey() != null) {
        o.putHeader("Authorization", "Bearer " + cfg.apiKey());
      }
      if (cfg.organization() != null) {
        o.putHeader("OpenAI-Organization", cfg.organization());
      }
      if (cfg.project() != null) {
        o.putHeader("OpenAI-Project", cfg.project());
      }
      // A stream that keeps trickling never trips the idle timeout: the deadline ends it.
      long deadline = vertx.setTimer(Math.max(1, remaining), t -> finish(new ConnectorException(
          Failure.retryable("timeout", "openai stream exceeded the job deadline"))));
      httpClient.request(o).compose(r -> r.send(req.body().toBuffer())).onComplete(ar -> {
        if (done) {
          vertx.cancelTimer(deadline);
          return;
        }
        if (ar.failed()) {
          vertx.cancelTimer(deadline);
          onIoFailure(n, ar.cause());
          return;
        }
        HttpClientResponse resp = ar.result();
        RateLimits limits = RateLimits.from(resp.headers());
        recordHeaders(limits);
        span.setAttribute(Seed.Attr.HTTP_RESPONSE_STATUS_CODE, (long) resp.statusCode());
        if (resp.statusCode() != 200) {
          resp.body().onComplete(body -> {
            vertx.cancelTimer(deadline);
            if (done) {
              return;
            }
            JsonObject error = OpenAiErrors.errorObject(body.succeeded() ? body.result().toString() : null);
            retryOrFail(n, OpenAiErrors.classify(resp.statusCode(), error, resp.headers()), resp.headers(), null);
          });
          return;
        }
        ChatStream acc = new ChatStream();
        Integer maxTokens = req.body().getInteger("max_completion_tokens", req.body().getInteger("max_tokens"));
        SseParser parser = new SseParser(data -> onStreamData(acc, data, started, maxTokens));
        resp.handler(parser::feed);
        resp.exceptionHandler(e -> {
          vertx.cancelTimer(deadline);
          finish(new ConnectorException(new Failure(Failure.Kind.RETRYABLE, "network_error", "stream_broken",
              "openai stream broke after " + acc.chunks() + " chunks", e.getClass().getSimpleName()), e));
        });
        resp.endHandler(v -> {
          vertx.cancelTimer(deadline);
          span.setAttribute(Seed.Attr.OPENAI_RESPONSE_TIME_MS, (System.nanoTime() - started) / 1_000_000);
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

    private void onStreamData(ChatStream acc, String data, long started, Integer maxTokens) {
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
        span.setAttribute(Seed.Attr.OPENAI_TIME_TO_FIRST_CHUNK_MS, (System.nanoTime() - started) / 1_000_000);
      }
      if (!acc.add(chunk)) {
        JsonObject error = ChatStream.error(chunk);
        finish(new ConnectorException(new Failure(Failure.Kind.RETRYABLE, "service_error", "stream_error",
            error.getString("message", "openai stream error"), error.getString("code", error.getString("type")))));
        return;
      }
      // One chunk is roughly one token: progress runs towards max_tokens when known.
      int pct = maxTokens != null && maxTokens > 0 ? 10 + Math.min(80, acc.chunks() * 80 / maxTokens)
          : Math.min(85, 10 + acc.chunks());
      progress.report(pct, "streaming");
    }

    private void recordHeaders(RateLimits l) {
      if (l.requestId() != null) {
        span.setAttribute(Seed.Attr.OPENAI_REQUEST_ID, l.requestId());
      }
      if (l.processingMs() != null) {
        span.setAttribute(Seed.Attr.OPENAI_PROCESSING_MS, l.processingMs());
      }
      if (l.remainingRequests() != null) {
        span.setAttribute(Seed.Attr.OPENAI_RATE_LIMIT_REMAINING, l.remainingRequests());
      }
      if (l.resetRequests() != null) {
        span.setAttribute(Seed.Attr.OPENAI_RATE_LIMIT_RESET, l.resetRequests().toMillis());
      }
      if (l.remainingTokens() != null) {
        span.setAttribute(Seed.Attr.OPENAI_RATE_LIMIT_REMAINING_TOKENS, l.remainingTokens());
      }
      if (l.resetTokens() != null) {
        span.setAttribute(Seed.Attr.OPENAI_RATE_LIMIT_RESET_TOKENS, l.resetTokens().toMillis());
      }
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
      span.addEvent(Seed.Event.OPENAI_REQUEST_RETRY, Attributes.builder()
          .put(Seed.Attr.HTTP_REQUEST_RESEND_COUNT, n + 1)
          .put("retry.delay_ms", delay)
          .put(Seed.Attr.ERROR_TYPE, f.code() != null ? f.code() : f.type())
          .build());
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
}
