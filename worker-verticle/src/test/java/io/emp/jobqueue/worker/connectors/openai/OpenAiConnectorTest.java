package io.emp.jobqueue.worker.connectors.openai;

import io.emp.jobqueue.core.telemetry.Attr;
import io.emp.jobqueue.core.telemetry.EventName;
import io.emp.jobqueue.core.telemetry.SpanName;
import static org.assertj.core.api.Assertions.assertThat;

import io.emp.jobqueue.core.model.Failure;
import io.emp.jobqueue.worker.connectors.ConnectorTestSupport;
import io.emp.jobqueue.worker.connectors.openai.FakeOpenAi.Script;
import io.emp.jobqueue.worker.spi.ConnectorException;
import io.emp.jobqueue.worker.spi.JobCancelledException;
import io.emp.jobqueue.worker.spi.JobContext;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OpenAiConnectorTest extends ConnectorTestSupport {
  private static final String KEY = "sk-test-" + "0123456789abcdef0123456789abcdef";
  private static final long MINUTE = 60_000;

  private FakeOpenAi fake;
  private OpenAiConnector connector;
  private final List<Integer> progress = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    fake = new FakeOpenAi(vertx, KEY).start();
    connector = connector(OpenAiConfig.defaults(fake.baseUrl(), KEY).withRetries(2, 20, 100));
  }

  @AfterEach
  void stop() {
    get(connector.stop());
    fake.close();
  }

  private static OpenAiConnector connector(OpenAiConfig cfg) {
    OpenAiConnector c = new OpenAiConnector(cfg);
    get(c.start(vertx));
    return c;
  }

  private Future<JsonObject> run(OpenAiConnector c, JobContext ctx) {
    return c.process(ctx, (p, m) -> progress.add(p));
  }

  private JobContext chatJob(long timeoutMs) {
    JsonObject payload = new JsonObject().put("model", "gpt-4o").put("max_tokens", 64).put("temperature", 0.2)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "secret prompt")));
    return context(job("openai_text", payload), timeoutMs);
  }

  @Test
  void chatCompletionReturnsContentAndRecordsGenAiAttributes() {
    JobContext ctx = chatJob(MINUTE);
    JsonObject result = get(run(connector, ctx));

    assertThat(result.getString("content")).isEqualTo("Hello from the fake.");
    assertThat(result.getString("finish_reason")).isEqualTo("stop");
    assertThat(result.getString("request_id")).startsWith("req_");
    assertThat(fake.requests()).isEqualTo(1);
    assertThat(fake.bodies().get(0).getString("model")).isEqualTo("gpt-4o");
    assertThat(fake.authHeaders().get(0)).isEqualTo("Bearer " + KEY);
    assertThat(progress).contains(5, 90);

    SpanData span = span(SpanName.OPENAI_CALL);
    assertThat(span.getKind()).isEqualTo(SpanKind.CLIENT);
    assertThat(span.getParentSpanId()).isEqualTo(io.opentelemetry.api.trace.Span.fromContext(ctx.otelContext())
        .getSpanContext().getSpanId());
    // the provider is told the call's own span as parent (W3C), so its traces can join the job's
    assertThat(fake.traceparents().get(0)).startsWith("00-" + span.getTraceId() + "-" + span.getSpanId() + "-");
    assertThat(span.getResource().getAttribute(AttributeKey.stringKey("service.name")))
        .isEqualTo("emp-openai_text-worker");
    var a = span.getAttributes();
    assertThat(a.get(AttributeKey.stringKey(Attr.GEN_AI_PROVIDER_NAME))).isEqualTo("openai");
    assertThat(a.get(AttributeKey.stringKey(Attr.GEN_AI_OPERATION_NAME))).isEqualTo("chat");
    assertThat(a.get(AttributeKey.stringKey(Attr.GEN_AI_REQUEST_MODEL))).isEqualTo("gpt-4o");
    assertThat(a.get(AttributeKey.stringKey(Attr.GEN_AI_RESPONSE_MODEL))).isEqualTo("gpt-4o-2024-08-06");
    assertThat(a.get(AttributeKey.stringKey(Attr.GEN_AI_RESPONSE_ID))).startsWith("chatcmpl-");
    assertThat(a.get(AttributeKey.longKey(Attr.GEN_AI_USAGE_INPUT_TOKENS))).isEqualTo(13L);
    assertThat(a.get(AttributeKey.longKey(Attr.GEN_AI_USAGE_OUTPUT_TOKENS))).isEqualTo(5L);
    assertThat(a.get(AttributeKey.longKey(Attr.OPENAI_TOTAL_TOKENS))).isEqualTo(18L);
    assertThat(a.get(AttributeKey.longKey(Attr.GEN_AI_REQUEST_MAX_TOKENS))).isEqualTo(64L);
    assertThat(a.get(AttributeKey.doubleKey(Attr.GEN_AI_REQUEST_TEMPERATURE))).isEqualTo(0.2);
    assertThat(a.get(AttributeKey.stringArrayKey(Attr.GEN_AI_RESPONSE_FINISH_REASONS))).containsExactly("stop");
    assertThat(a.get(AttributeKey.stringKey(Attr.SERVER_ADDRESS))).isEqualTo("127.0.0.1");
    assertThat(a.get(AttributeKey.longKey(Attr.SERVER_PORT))).isPositive();
    assertThat(a.get(AttributeKey.stringKey(Attr.OPENAI_ENDPOINT))).isEqualTo("/chat/completions");
    assertThat(a.get(AttributeKey.stringKey(Attr.OPENAI_REQUEST_ID))).startsWith("req_");
    assertThat(a.get(AttributeKey.longKey(Attr.OPENAI_PROCESSING_MS))).isEqualTo(321L);
    assertThat(a.get(AttributeKey.longKey(Attr.OPENAI_RATE_LIMIT_REMAINING))).isEqualTo(499L);
    assertThat(a.get(AttributeKey.longKey(Attr.OPENAI_RATE_LIMIT_RESET))).isEqualTo(120L);
    assertThat(a.get(AttributeKey.longKey(Attr.OPENAI_RATE_LIMIT_RESET_TOKENS))).isEqualTo(360_000L);
    assertThat(a.get(AttributeKey.longKey(Attr.OPENAI_RESPONSE_TIME_MS))).isNotNull();
    assertThat(a.get(AttributeKey.longKey(Attr.HTTP_REQUEST_RESEND_COUNT))).isNull();
    // Content capture is off by default.
    assertThat(a.get(AttributeKey.stringKey(Attr.GEN_AI_INPUT_MESSAGES))).isNull();
    assertThat(a.get(AttributeKey.stringKey(Attr.GEN_AI_OUTPUT_MESSAGES))).isNull();
    assertThat(a.asMap().values()).noneMatch(v -> String.valueOf(v).contains("secret prompt"));
  }

  @Test
  void streamedChatIsAssembledFromServerSentEvents() {
    JsonObject payload = new JsonObject().put("model", "gpt-4o").put("stream", true).put("max_tokens", 8)
        .put("prompt", "say hello");
    JobContext ctx = context(job("openai_text", payload), MINUTE);
    JsonObject result = get(run(connector, ctx));

    assertThat(result.getString("content")).isEqualTo("Hello from the fake.");
    assertThat(result.getString("finish_reason")).isEqualTo("stop");
    assertThat(result.getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(4);
    JsonObject sent = fake.bodies().get(0);
    assertThat(sent.getBoolean("stream")).isTrue();
    assertThat(sent.getJsonObject("stream_options").getBoolean("include_usage")).isTrue();
    assertThat(sent.getJsonArray("messages").getJsonObject(0).getString("content")).isEqualTo("say hello");
    assertThat(progress).isSortedAccordingTo(Integer::compare).contains(5, 90);
    assertThat(progress.stream().distinct().count()).isGreaterThan(3);
    var a = span(SpanName.OPENAI_CALL).getAttributes();
    assertThat(a.get(AttributeKey.booleanKey(Attr.GEN_AI_REQUEST_STREAM))).isTrue();
    assertThat(a.get(AttributeKey.stringKey(Attr.GEN_AI_RESPONSE_ID))).startsWith("chatcmpl-");
    assertThat(a.get(AttributeKey.longKey(Attr.GEN_AI_USAGE_OUTPUT_TOKENS))).isEqualTo(4L);
    assertThat(a.get(AttributeKey.longKey(Attr.OPENAI_TIME_TO_FIRST_CHUNK_MS))).isNotNull();
    SpanData call = span(SpanName.OPENAI_CALL);
    assertThat(fake.traceparents().get(0)).startsWith("00-" + call.getTraceId() + "-" + call.getSpanId() + "-");
    assertThat(a.get(AttributeKey.stringKey(Attr.OPENAI_REQUEST_ID))).startsWith("req_");
  }

  @Test
  void aStreamIsRetriedBeforeItsFirstByteButNotAfter() {
    JsonObject payload = new JsonObject().put("model", "gpt-4o").put("stream", true).put("prompt", "hi");
    fake.script(Script.RATE_LIMIT_MS);
    get(run(connector, context(job("openai_text", payload), MINUTE)));
    assertThat(fake.requests()).isEqualTo(2);

    fake.script(Script.STREAM_ERROR);
    Throwable error = failure(run(connector, context(job("openai_text", payload), MINUTE)));
    assertThat(fake.requests()).isEqualTo(3);
    assertThat(connector.classify(error).reason()).isEqualTo("stream_error");
    assertThat(connector.classify(error).kind()).isEqualTo(Failure.Kind.RETRYABLE);

    fake.script(Script.STREAM_TRUNCATED);
    Throwable cut = failure(run(connector, context(job("openai_text", payload), MINUTE)));
    assertThat(fake.requests()).isEqualTo(4);
    assertThat(connector.classify(cut).reason()).isEqualTo("stream_truncated");
  }

  @Test
  void contentIsRecordedOnlyWhenEnabled() {
    OpenAiConnector capturing = connector(OpenAiConfig.defaults(fake.baseUrl(), KEY).withCaptureContent(true));
    try {
      get(run(capturing, chatJob(MINUTE)));
      var a = span(SpanName.OPENAI_CALL).getAttributes();
      assertThat(a.get(AttributeKey.stringKey(Attr.GEN_AI_INPUT_MESSAGES))).contains("secret prompt");
      assertThat(a.get(AttributeKey.stringKey(Attr.GEN_AI_OUTPUT_MESSAGES))).contains("Hello from the fake.");
    } finally {
      get(capturing.stop());
    }
  }

  @Test
  void apiKeyAppearsInNoSpanAttributeEvenOnFailure() {
    fake.script(Script.RATE_LIMIT_MS, Script.SERVER_ERROR, Script.BAD_REQUEST);
    failure(run(connector, chatJob(MINUTE)));
    get(run(connector, chatJob(MINUTE)));
    assertThat(connector.toString() + OpenAiConfig.defaults(fake.baseUrl(), KEY)).doesNotContain(KEY);
    assertThat(spans.getFinishedSpanItems()).isNotEmpty().allSatisfy(s -> {
      assertThat(s.getAttributes().asMap().values()).noneMatch(v -> String.valueOf(v).contains(KEY));
      assertThat(s.getEvents()).allSatisfy(e ->
          assertThat(e.getAttributes().asMap().values()).noneMatch(v -> String.valueOf(v).contains(KEY)));
    });
  }

  @Test
  void imageB64IsStoredThroughTheResultStore() {
    JsonObject payload = new JsonObject().put("operation", "image").put("model", "gpt-image-1")
        .put("prompt", "a red fox").put("n", 2).put("size", "1024x1024").put("quality", "low");
    JobContext ctx = context(job("openai", payload), MINUTE);
    JsonObject result = get(run(connector, ctx));

    JsonArray images = result.getJsonArray("images");
    assertThat(images).hasSize(2);
    assertThat(images.getJsonObject(0).getString("uri")).isEqualTo("mem://" + ctx.jobId() + "/image_0.png");
    assertThat(images.getJsonObject(0).getString("content_type")).isEqualTo("image/png");
    assertThat(results.files().get(ctx.jobId() + "/image_1.png").getBytes()).isEqualTo(FakeOpenAi.PNG);
    assertThat(fake.bodies().get(0).containsKey("operation")).isFalse();
    var a = span(SpanName.OPENAI_CALL).getAttributes();
    assertThat(a.get(AttributeKey.stringKey(Attr.GEN_AI_OPERATION_NAME))).isEqualTo("generate_image");
    assertThat(a.get(AttributeKey.stringKey(Attr.GEN_AI_OUTPUT_TYPE))).isEqualTo("image");
    assertThat(a.get(AttributeKey.stringKey(Attr.IMAGE_SIZE))).isEqualTo("1024x1024");
    assertThat(a.get(AttributeKey.stringKey(Attr.IMAGE_QUALITY))).isEqualTo("low");
    assertThat(a.get(AttributeKey.longKey(Attr.GEN_AI_USAGE_OUTPUT_TOKENS))).isEqualTo(4160L);
  }

  @Test
  void imageUrlsAreReferencedNotDownloaded() {
    JsonObject payload = new JsonObject().put("model", "dall-e-3").put("prompt", "a fox").put("style", "vivid")
        .put("response_format", "url");
    JobContext ctx = context(job("openai_image", payload), MINUTE);
    JsonObject result = get(run(connector, ctx));

    assertThat(result.getJsonArray("images").getJsonObject(0).getString("url")).contains("/files/img-0.png");
    assertThat(result.getJsonArray("revised_prompts")).hasSize(1);
    assertThat(results.files()).isEmpty();
    var a = span(SpanName.OPENAI_CALL).getAttributes();
    assertThat(a.get(AttributeKey.stringKey(Attr.IMAGE_STYLE))).isEqualTo("vivid");
    assertThat(a.get(AttributeKey.stringKey(Attr.IMAGE_FORMAT))).isEqualTo("url");
  }

  @Test
  void rateLimitIsRetriedAfterRetryAfterAndCountedOnTheSpan() {
    fake.script(Script.RATE_LIMIT);
    JsonObject result = get(run(connector, chatJob(MINUTE)));

    assertThat(result.getString("content")).isNotNull();
    assertThat(fake.requests()).isEqualTo(2);
    SpanData span = span(SpanName.OPENAI_CALL);
    assertThat(span.getAttributes().get(AttributeKey.longKey(Attr.HTTP_REQUEST_RESEND_COUNT))).isEqualTo(1L);
    assertThat(span.getEvents()).filteredOn(e -> e.getName().equals(EventName.OPENAI_REQUEST_RETRY)).singleElement()
        .satisfies(e -> {
          assertThat(e.getAttributes().get(AttributeKey.longKey("retry.delay_ms"))).isEqualTo(1000L);
          assertThat(e.getAttributes().get(AttributeKey.stringKey(Attr.ERROR_TYPE)))
              .isEqualTo("rate_limit_exceeded");
        });
  }

  @Test
  void insufficientQuotaIsNeverRetried() {
    fake.script(Script.QUOTA);
    Throwable t = failure(run(connector, chatJob(MINUTE)));

    assertThat(fake.requests()).isEqualTo(1);
    Failure f = connector.classify(t);
    assertThat(f.kind()).isEqualTo(Failure.Kind.PERMANENT);
    assertThat(f.code()).isEqualTo("insufficient_quota");
    SpanData span = span(SpanName.OPENAI_CALL);
    assertThat(span.getAttributes().get(AttributeKey.stringKey(Attr.ERROR_TYPE))).isEqualTo("insufficient_quota");
    assertThat(span.getStatus().getStatusCode()).isEqualTo(io.opentelemetry.api.trace.StatusCode.ERROR);
  }

  @Test
  void serverErrorsAreRetriedUpToTheLimitThenFailRetryable() {
    fake.script(Script.SERVER_ERROR, Script.OVERLOADED, Script.SERVER_ERROR, Script.SERVER_ERROR);
    Throwable t = failure(run(connector, chatJob(MINUTE)));

    assertThat(fake.requests()).isEqualTo(3);
    assertThat(connector.classify(t).kind()).isEqualTo(Failure.Kind.RETRYABLE);
    assertThat(connector.classify(t).type()).isEqualTo("service_error");
    assertThat(span(SpanName.OPENAI_CALL).getAttributes()
        .get(AttributeKey.longKey(Attr.HTTP_REQUEST_RESEND_COUNT))).isEqualTo(2L);
  }

  @Test
  void transientFailuresThenSuccessUseThreeAttempts() {
    fake.script(Script.OVERLOADED, Script.RATE_LIMIT_MS);
    get(run(connector, chatJob(MINUTE)));
    assertThat(fake.requests()).isEqualTo(3);
  }

  @Test
  void clientErrorsAreNotRetried() {
    fake.script(Script.BAD_REQUEST);
    Throwable bad = failure(run(connector, chatJob(MINUTE)));
    assertThat(fake.requests()).isEqualTo(1);
    assertThat(connector.classify(bad).type()).isEqualTo("validation_error");
    assertThat(connector.classify(bad).kind()).isEqualTo(Failure.Kind.PERMANENT);

    OpenAiConnector wrongKey = connector(OpenAiConfig.defaults(fake.baseUrl(), "sk-wrong").withRetries(2, 20, 100));
    try {
      Throwable auth = failure(run(wrongKey, chatJob(MINUTE)));
      assertThat(fake.requests()).isEqualTo(2);
      assertThat(wrongKey.classify(auth).type()).isEqualTo("auth_error");
      assertThat(wrongKey.classify(auth).code()).isEqualTo("invalid_api_key");
    } finally {
      get(wrongKey.stop());
    }
  }

  @Test
  void retryAfterBeyondTheDeadlineFailsNowInsteadOfSleeping() {
    fake.script(Script.RATE_LIMIT_LONG_WAIT);
    Throwable t = failure(run(connector, chatJob(10_000)));
    assertThat(fake.requests()).isEqualTo(1);
    assertThat(connector.classify(t).kind()).isEqualTo(Failure.Kind.RETRYABLE);
    assertThat(connector.classify(t).type()).isEqualTo("rate_limit");
  }

  @Test
  void slowResponseIsCutAtTheJobDeadline() {
    fake.slowMs(30_000).script(Script.SLOW);
    Throwable t = failure(run(connector, chatJob(3_000)));
    assertThat(connector.classify(t).type()).isEqualTo("timeout");
    assertThat(connector.classify(t).kind()).isEqualTo(Failure.Kind.RETRYABLE);
    // Not retried after the deadline (on a very slow machine the deadline may even pass before sending).
    assertThat(fake.requests()).isLessThanOrEqualTo(1);
  }

  @Test
  void connectionRefusedIsARetryableNetworkError() {
    OpenAiConnector dead = connector(OpenAiConfig.defaults("http://127.0.0.1:1/v1", KEY).withRetries(1, 10, 20));
    try {
      Throwable t = failure(run(dead, chatJob(MINUTE)));
      assertThat(dead.classify(t).type()).isEqualTo("network_error");
      assertThat(dead.classify(t).kind()).isEqualTo(Failure.Kind.RETRYABLE);
    } finally {
      get(dead.stop());
    }
  }

  @Test
  void cancelFailsThePendingCallAsCancelled() {
    fake.slowMs(30_000).script(Script.SLOW);
    JobContext ctx = chatJob(MINUTE);
    Future<JsonObject> pending = run(connector, ctx);
    org.awaitility.Awaitility.await().until(() -> fake.requests() == 1);
    get(connector.cancel(ctx.jobId()));
    Throwable t = failure(pending);
    assertThat(t).isInstanceOf(JobCancelledException.class);
    assertThat(connector.classify(t).kind()).isEqualTo(Failure.Kind.CANCELLED);
  }

  @Test
  void invalidPayloadIsAPermanentValidationError() {
    Throwable t = failure(run(connector, context(job("openai_text", new JsonObject().put("model", "gpt-4o")),
        MINUTE)));
    assertThat(t).isInstanceOf(ConnectorException.class);
    assertThat(connector.classify(t).type()).isEqualTo("validation_error");
    assertThat(fake.requests()).isZero();
  }

  @Test
  void configReadsKeyFromEnvironmentAndHidesIt() {
    OpenAiConfig cfg = OpenAiConfig.from(new JsonObject().put("max_retries", 1),
        java.util.Map.of("OPENAI_API_KEY", KEY, "OPENAI_BASE_URL", "http://localhost:9/v1/"));
    assertThat(cfg.apiKey()).isEqualTo(KEY);
    assertThat(cfg.baseUrl()).isEqualTo("http://localhost:9/v1");
    assertThat(cfg.maxRetries()).isEqualTo(1);
    assertThat(cfg.toString()).doesNotContain(KEY);
  }
}
