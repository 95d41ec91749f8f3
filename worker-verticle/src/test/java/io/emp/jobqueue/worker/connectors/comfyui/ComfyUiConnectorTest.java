package io.emp.jobqueue.worker.connectors.comfyui;

import io.emp.jobqueue.core.telemetry.Attr;
import io.emp.jobqueue.core.telemetry.EventName;
import io.emp.jobqueue.core.telemetry.SpanName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emp.jobqueue.core.model.Failure;
import io.emp.jobqueue.worker.connectors.ConnectorTestSupport;
import io.emp.jobqueue.worker.connectors.comfyui.FakeComfyUi.Behaviour;
import io.emp.jobqueue.worker.spi.JobCancelledException;
import io.emp.jobqueue.worker.spi.JobContext;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ComfyUiConnectorTest extends ConnectorTestSupport {
  private static final long MINUTE = 60_000;

  private FakeComfyUi fake;
  private ComfyUiConnector connector;
  private final List<Integer> progress = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    fake = new FakeComfyUi(vertx).start();
    connector = connector(fake.port());
  }

  @AfterEach
  void stop() {
    get(connector.stop());
    fake.close();
  }

  private static ComfyUiConnector connector(int basePort) {
    ComfyUiConnector c = new ComfyUiConnector(ComfyUiConfig.defaults("127.0.0.1", basePort).withTimings(50, 100, 400));
    get(c.start(vertx));
    return c;
  }

  private JobContext comfyJob(JsonObject graph, long timeoutMs) {
    return context(job("comfyui", new JsonObject().put("workflow", graph).put("workflow_id", "wf-1")), timeoutMs);
  }

  private Future<JsonObject> run(JobContext ctx) {
    return connector.process(ctx, (p, m) -> progress.add(p));
  }

  private static Attributes attrs() {
    return span(SpanName.COMFYUI_EXECUTE).getAttributes();
  }

  @Test
  void runsTheWorkflowStoresOutputsAndTracesIt() {
    JobContext ctx = comfyJob(Graphs.txt2img(FakeComfyUi.KNOWN_CKPT, 8), MINUTE);
    JsonObject result = get(run(ctx));

    // Submitted once, with our own prompt id; the foreign prompt's execution_error was ignored.
    assertThat(fake.accepted()).containsExactly(result.getString("prompt_id"));
    JsonArray outputs = result.getJsonArray("outputs");
    assertThat(outputs).hasSize(1);
    JsonObject out = outputs.getJsonObject(0);
    assertThat(out.getString("node_id")).isEqualTo("7");
    assertThat(out.getString("filename")).isEqualTo("job123_00001_.png");
    assertThat(out.getString("uri")).isEqualTo("mem://" + ctx.jobId() + "/job123_00001_.png");
    assertThat(out.getString("content_type")).isEqualTo("image/png");
    assertThat(results.files().get(ctx.jobId() + "/job123_00001_.png").getBytes()).isEqualTo(FakeComfyUi.PNG);
    assertThat(result.getInteger("previews_received")).isPositive();
    assertThat(result.getLong("vram_usage_mb")).isEqualTo(12_288L);
    assertThat(progress).isSortedAccordingTo(Integer::compare).contains(10, 90).allMatch(p -> p >= 5 && p <= 100);
    assertThat(connector.externalService().version()).isEqualTo("0.3.68");
    assertThat(connector.externalService().endpoint()).isEqualTo("http://127.0.0.1:" + fake.port());

    SpanData span = span(SpanName.COMFYUI_EXECUTE);
    assertThat(span.getParentSpanId()).isEqualTo(Span.fromContext(ctx.otelContext()).getSpanContext().getSpanId());
    assertThat(span.getKind()).isEqualTo(SpanKind.CLIENT);
    assertThat(fake.promptTraceparents()).singleElement().asString()
        .startsWith("00-" + span.getTraceId() + "-" + span.getSpanId() + "-");
    assertThat(span.getResource().getAttribute(AttributeKey.stringKey("service.name"))).isEqualTo("emp-comfyui-worker");
    Attributes a = span.getAttributes();
    assertThat(a.get(AttributeKey.stringKey(Attr.GEN_AI_PROVIDER_NAME))).isEqualTo("comfyui");
    assertThat(a.get(AttributeKey.stringKey(Attr.COMFYUI_ENDPOINT))).isEqualTo("http://127.0.0.1:" + fake.port());
    assertThat(a.get(AttributeKey.stringKey(Attr.COMFYUI_PROMPT_ID))).isEqualTo(result.getString("prompt_id"));
    assertThat(a.get(AttributeKey.stringKey(Attr.COMFYUI_WORKFLOW_ID))).isEqualTo("wf-1");
    assertThat(a.get(AttributeKey.longKey(Attr.COMFYUI_NODE_COUNT))).isEqualTo(7L);
    assertThat(a.get(AttributeKey.longKey(Attr.COMFYUI_ESTIMATED_STEPS))).isEqualTo(8L);
    assertThat(a.get(AttributeKey.stringKey(Attr.WORKFLOW_TYPE))).isEqualTo("txt2img");
    assertThat(a.get(AttributeKey.stringKey(Attr.WORKFLOW_MODEL))).isEqualTo(FakeComfyUi.KNOWN_CKPT);
    assertThat(a.get(AttributeKey.stringKey(Attr.MODEL_NAME))).isEqualTo(FakeComfyUi.KNOWN_CKPT);
    assertThat(a.get(AttributeKey.stringKey(Attr.WORKFLOW_RESOLUTION))).isEqualTo("512x512");
    assertThat(a.get(AttributeKey.longKey(Attr.WORKFLOW_SEED))).isEqualTo(42L);
    assertThat(a.get(AttributeKey.longKey(Attr.WORKFLOW_STEPS))).isEqualTo(8L);
    assertThat(a.get(AttributeKey.doubleKey(Attr.WORKFLOW_CFG_SCALE))).isEqualTo(7.0);
    assertThat(a.get(AttributeKey.longKey(Attr.COMFYUI_QUEUE_POSITION))).isEqualTo(0L);
    assertThat(a.get(AttributeKey.longKey(Attr.COMFYUI_EXECUTION_TIME_MS))).isNotNull().isNotNegative();
    assertThat(a.get(AttributeKey.longKey(Attr.COMFYUI_VRAM_USAGE_MB))).isEqualTo(12_288L);
    assertThat(a.get(AttributeKey.longKey(Attr.COMFYUI_MEMORY_USAGE_MB))).isEqualTo(20_480L);
    assertThat(a.get(AttributeKey.longKey(Attr.COMFYUI_OUTPUT_COUNT))).isEqualTo(1L);
    assertThat(a.get(AttributeKey.longKey(Attr.COMFYUI_RECONNECTS))).isEqualTo(0L);
    assertThat(span.getStatus().getStatusCode()).isNotEqualTo(StatusCode.ERROR);

    List<String> names = span.getEvents().stream().map(EventData::getName).distinct().toList();
    // "submitted" follows the HTTP answer, which may race the first WebSocket events; the rest is causal.
    assertThat(names).containsExactlyInAnyOrder(EventName.COMFYUI_PROMPT_SUBMITTED,
        EventName.COMFYUI_EXECUTION_STARTED, EventName.COMFYUI_PROGRESS_UPDATED,
        EventName.COMFYUI_EXECUTION_COMPLETED, EventName.COMFYUI_RESULTS_RETRIEVED);
    assertThat(names.subList(names.size() - 2, names.size())).containsExactly(
        EventName.COMFYUI_EXECUTION_COMPLETED, EventName.COMFYUI_RESULTS_RETRIEVED);
    assertThat(names.indexOf(EventName.COMFYUI_EXECUTION_STARTED))
        .isLessThan(names.indexOf(EventName.COMFYUI_PROGRESS_UPDATED));
    List<Long> percentages = span.getEvents().stream()
        .filter(e -> e.getName().equals(EventName.COMFYUI_PROGRESS_UPDATED))
        .map(e -> e.getAttributes().get(AttributeKey.longKey(Attr.PROGRESS_PERCENTAGE))).toList();
    assertThat(percentages).hasSize(8).isSorted().endsWith(100L);
  }

  @Test
  void followsTheServerAssignedPromptIdOfOlderBuilds() {
    fake.assignIds(true);
    JsonObject result = get(run(comfyJob(Graphs.txt2img(FakeComfyUi.KNOWN_CKPT, 4), MINUTE)));
    assertThat(fake.accepted()).containsExactly(result.getString("prompt_id"));
    assertThat(attrs().get(AttributeKey.stringKey(Attr.COMFYUI_PROMPT_ID))).isEqualTo(result.getString("prompt_id"));
    assertThat(result.getJsonArray("outputs")).hasSize(1);
  }

  @Test
  void pollsTheHistoryUntilItIsStored() {
    fake.historyLagMs(400);
    JsonObject result = get(run(comfyJob(Graphs.txt2img(FakeComfyUi.KNOWN_CKPT, 4), MINUTE)));
    assertThat(result.getJsonArray("outputs")).hasSize(1);
    assertThat(fake.historyRequests()).isGreaterThan(1);
  }

  @Test
  void unknownCheckpointIsAPermanentValidationFailureCarryingNodeErrors() {
    Throwable t = failure(run(comfyJob(Graphs.txt2img("nope.safetensors", 4), MINUTE)));

    assertThat(t).isInstanceOf(ComfyUiPromptRejectedException.class);
    ComfyUiPromptRejectedException r = (ComfyUiPromptRejectedException) t;
    assertThat(r.errorType()).isEqualTo("prompt_outputs_failed_validation");
    JsonObject node = r.nodeErrors().getJsonObject("1");
    assertThat(node.getString("class_type")).isEqualTo("CheckpointLoaderSimple");
    assertThat(node.getJsonArray("errors").getJsonObject(0).getString("type")).isEqualTo("value_not_in_list");
    Failure f = connector.classify(t);
    assertThat(f.kind()).isEqualTo(Failure.Kind.PERMANENT);
    assertThat(f.type()).isEqualTo("validation_error");
    assertThat(f.reason()).isEqualTo("value_not_in_list");
    assertThat(f.message()).contains("nope.safetensors");
    assertThat(fake.accepted()).isEmpty();
    assertThat(attrs().get(AttributeKey.stringKey(Attr.ERROR_TYPE))).isEqualTo("prompt_outputs_failed_validation");
  }

  @Test
  void oldStringErrorShapeIsAlsoAPermanentValidationFailure() {
    fake.legacyErrors(true);
    Throwable t = failure(run(comfyJob(Graphs.txt2img("nope.safetensors", 4), MINUTE)));
    assertThat(t).isInstanceOf(ComfyUiPromptRejectedException.class);
    assertThat(((ComfyUiPromptRejectedException) t).nodeErrors().isEmpty()).isTrue();
    assertThat(connector.classify(t).kind()).isEqualTo(Failure.Kind.PERMANENT);
    assertThat(connector.classify(t).message()).isEqualTo("Prompt outputs failed validation");
  }

  @Test
  void brokenLinkIsRejectedByTheServerAndMissingClassTypeBeforeSending() {
    JsonObject broken = Graphs.txt2img(FakeComfyUi.KNOWN_CKPT, 4);
    broken.getJsonObject("6").getJsonObject("inputs").put("samples", Graphs.link("99", 0));
    Throwable t = failure(run(comfyJob(broken, MINUTE)));
    assertThat(((ComfyUiPromptRejectedException) t).errorType()).isEqualTo("invalid_prompt");

    JsonObject notApi = Graphs.txt2img(FakeComfyUi.KNOWN_CKPT, 4);
    notApi.getJsonObject("3").remove("class_type");
    Throwable local = failure(run(comfyJob(notApi, MINUTE)));
    assertThat(connector.classify(local).type()).isEqualTo("validation_error");
    assertThat(connector.classify(local).kind()).isEqualTo(Failure.Kind.PERMANENT);
    assertThat(fake.accepted()).isEmpty();
  }

  @Test
  void executionErrorIsPermanentWithTheExceptionType() {
    fake.behave(Behaviour.FAIL);
    Throwable t = failure(run(comfyJob(Graphs.txt2img(FakeComfyUi.KNOWN_CKPT, 6), MINUTE)));

    assertThat(t).isInstanceOf(ComfyUiExecutionException.class);
    ComfyUiExecutionException e = (ComfyUiExecutionException) t;
    assertThat(e.exceptionType()).isEqualTo("RuntimeError");
    assertThat(e.nodeId()).isEqualTo("5");
    assertThat(e.nodeType()).isEqualTo("KSampler");
    Failure f = connector.classify(t);
    assertThat(f.kind()).isEqualTo(Failure.Kind.PERMANENT);
    assertThat(f.message()).contains("mat1 and mat2");
    SpanData span = span(SpanName.COMFYUI_EXECUTE);
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(span.getAttributes().get(AttributeKey.stringKey(Attr.ERROR_TYPE))).isEqualTo("RuntimeError");
  }

  @Test
  void outOfMemoryIsRetryable() {
    fake.behave(Behaviour.OOM);
    Throwable t = failure(run(comfyJob(Graphs.txt2img(FakeComfyUi.KNOWN_CKPT, 6), MINUTE)));
    Failure f = connector.classify(t);
    assertThat(f.kind()).isEqualTo(Failure.Kind.RETRYABLE);
    assertThat(f.type()).isEqualTo("resource_limit");
    assertThat(f.reason()).isEqualTo("gpu_memory_full");
    assertThat(f.code()).isEqualTo("torch.OutOfMemoryError");
  }

  @Test
  void interruptOnTheServerCancelsTheJob() {
    fake.behave(Behaviour.HANG);
    Future<JsonObject> pending = run(comfyJob(Graphs.txt2img(FakeComfyUi.KNOWN_CKPT, 6), MINUTE));
    await().atMost(Duration.ofSeconds(20)).until(() -> !fake.accepted().isEmpty() && fake.isRunning(fake.accepted().get(0)));
    fake.interruptRunning();
    Throwable t = failure(pending);
    assertThat(t).isInstanceOf(JobCancelledException.class);
    assertThat(connector.classify(t).kind()).isEqualTo(Failure.Kind.CANCELLED);
  }

  @Test
  void cancelDeletesFromTheQueueAndInterruptsThePrompt() {
    fake.behave(Behaviour.HANG);
    JobContext ctx = comfyJob(Graphs.txt2img(FakeComfyUi.KNOWN_CKPT, 6), MINUTE);
    Future<JsonObject> pending = run(ctx);
    await().atMost(Duration.ofSeconds(20)).until(() -> !fake.accepted().isEmpty() && fake.isRunning(fake.accepted().get(0)));
    String promptId = fake.accepted().get(0);

    get(connector.cancel(ctx.jobId()));

    assertThat(failure(pending)).isInstanceOf(JobCancelledException.class);
    assertThat(fake.queueDeletes()).containsExactly(promptId);
    assertThat(fake.interrupts()).containsExactly(promptId);
    await().atMost(Duration.ofSeconds(10)).until(() -> !fake.isRunning(promptId));
  }

  @Test
  void aDroppedSocketIsReconnectedAndReconciledWithoutResubmitting() {
    fake.behave(Behaviour.DROP_SOCKET);
    JobContext ctx = comfyJob(Graphs.txt2img(FakeComfyUi.KNOWN_CKPT, 10), MINUTE);
    JsonObject result = get(run(ctx));

    assertThat(fake.accepted()).hasSize(1);
    assertThat(fake.wsConnects()).isGreaterThanOrEqualTo(2);
    assertThat(result.getJsonArray("outputs")).hasSize(1);
    assertThat(results.files()).containsKey(ctx.jobId() + "/job123_00001_.png");
    SpanData span = span(SpanName.COMFYUI_EXECUTE);
    assertThat(span.getAttributes().get(AttributeKey.longKey(Attr.COMFYUI_RECONNECTS))).isGreaterThanOrEqualTo(1L);
    assertThat(span.getEvents()).anyMatch(e -> e.getName().equals(EventName.COMFYUI_RECONNECTED));
  }

  @Test
  void aPromptThatFinishedWhileDisconnectedIsReadFromTheHistory() {
    fake.behave(Behaviour.DROP_UNTIL_DONE);
    JobContext ctx = comfyJob(Graphs.txt2img(FakeComfyUi.KNOWN_CKPT, 10), MINUTE);
    JsonObject result = get(run(ctx));

    // No executing-null ever reached us: only /queue + /history can have told us it finished.
    assertThat(fake.accepted()).hasSize(1);
    assertThat(fake.historyRequests()).isGreaterThanOrEqualTo(1);
    assertThat(result.getJsonArray("outputs").getJsonObject(0).getString("uri"))
        .isEqualTo("mem://" + ctx.jobId() + "/job123_00001_.png");
    assertThat(span(SpanName.COMFYUI_EXECUTE).getEvents().stream().map(EventData::getName))
        .doesNotContain(EventName.COMFYUI_EXECUTION_COMPLETED).contains(EventName.COMFYUI_RESULTS_RETRIEVED);
  }

  @Test
  void aPromptLostByARestartedServerIsARetryableFailure() {
    fake.behave(Behaviour.VANISH);
    Throwable t = failure(run(comfyJob(Graphs.txt2img(FakeComfyUi.KNOWN_CKPT, 10), MINUTE)));
    Failure f = connector.classify(t);
    assertThat(f.kind()).isEqualTo(Failure.Kind.RETRYABLE);
    assertThat(f.reason()).isEqualTo("prompt_lost");
    assertThat(fake.accepted()).hasSize(1);
  }

  @Test
  void theJobDeadlineStopsAHungPromptAndInterruptsIt() {
    fake.behave(Behaviour.HANG);
    Throwable t = failure(run(comfyJob(Graphs.txt2img(FakeComfyUi.KNOWN_CKPT, 6), 5_000)));
    Failure f = connector.classify(t);
    assertThat(f.kind()).isEqualTo(Failure.Kind.RETRYABLE);
    assertThat(f.type()).isEqualTo("timeout");
    await().atMost(Duration.ofSeconds(10)).until(() -> fake.interrupts().size() == 1);
    assertThat(fake.interrupts()).containsExactlyElementsOf(fake.accepted());
  }

  @Test
  void aSecondPromptSeesItsQueuePositionAndRunsAfterTheFirstIsCancelled() {
    fake.behave(Behaviour.HANG, Behaviour.SUCCEED);
    JobContext first = comfyJob(Graphs.txt2img(FakeComfyUi.KNOWN_CKPT, 6), MINUTE);
    Future<JsonObject> hung = run(first);
    await().atMost(Duration.ofSeconds(20)).until(() -> !fake.accepted().isEmpty() && fake.isRunning(fake.accepted().get(0)));
    Future<JsonObject> second = run(comfyJob(Graphs.txt2img(FakeComfyUi.KNOWN_CKPT, 4), MINUTE));
    await().atMost(Duration.ofSeconds(20)).until(() -> fake.accepted().size() == 2);
    // Both runs have read /queue (the second while the first still ran) before the first is cancelled.
    await().atMost(Duration.ofSeconds(20)).until(() -> fake.queueReads() == 2);

    get(connector.cancel(first.jobId()));
    assertThat(failure(hung)).isInstanceOf(JobCancelledException.class);
    JsonObject result = get(second);
    assertThat(result.getInteger("queue_position")).isEqualTo(1);
  }

  @Test
  void anUnreachableServerIsARetryableNetworkError() {
    ComfyUiConnector dead = connector(1);
    try {
      Throwable t = failure(dead.process(context(job("comfyui", new JsonObject()
          .put("prompt", Graphs.txt2img(FakeComfyUi.KNOWN_CKPT, 4))), MINUTE), (p, m) -> { }));
      Failure f = dead.classify(t);
      assertThat(f.kind()).isEqualTo(Failure.Kind.RETRYABLE);
      assertThat(f.type()).isEqualTo("network_error");
      assertThat(get(dead.health()).healthy()).isFalse();
    } finally {
      get(dead.stop());
    }
    ComfyUiConnector live = connector(fake.port());
    try {
      assertThat(get(live.health()).healthy()).isTrue();
      assertThat(live.externalService().version()).isEqualTo("0.3.68");
    } finally {
      get(live.stop());
    }
  }

  @Test
  void concurrentJobsOnOneConnectorKeepTheirOwnEventsAndOutputs() {
    JobContext a = comfyJob(Graphs.txt2img(FakeComfyUi.KNOWN_CKPT, 5), MINUTE);
    JobContext b = comfyJob(Graphs.txt2img(FakeComfyUi.KNOWN_CKPT, 5), MINUTE);
    Future<JsonObject> fa = run(a);
    Future<JsonObject> fb = run(b);
    JsonObject ra = get(fa);
    JsonObject rb = get(fb);

    assertThat(fake.accepted()).containsExactlyInAnyOrder(ra.getString("prompt_id"), rb.getString("prompt_id"));
    String fileA = ra.getJsonArray("outputs").getJsonObject(0).getString("filename");
    String fileB = rb.getJsonArray("outputs").getJsonObject(0).getString("filename");
    assertThat(fileA).isNotEqualTo(fileB);
    assertThat(results.files()).containsOnlyKeys(a.jobId() + "/" + fileA, b.jobId() + "/" + fileB);
  }
}
