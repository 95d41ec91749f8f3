package io.emp.jobqueue.worker.connectors.comfyui;

import io.emp.jobqueue.core.model.Failure;
import io.emp.jobqueue.core.telemetry.Seed;
import io.emp.jobqueue.worker.spi.ConnectorException;
import io.emp.jobqueue.worker.spi.FailureClassifier;
import io.emp.jobqueue.worker.spi.JobCancelledException;
import io.emp.jobqueue.worker.spi.JobContext;
import io.emp.jobqueue.worker.spi.ProgressSink;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One job on one ComfyUI server. Stages: open the WebSocket, submit, follow events, then read the
 * history and store the outputs. All methods run on {@link #context()}.
 */
final class ComfyUiRun {
  /** Progress milestones of the job (percent) around the sampler's own 0..100. */
  private static final int P_SUBMITTED = 5;
  private static final int P_STARTED = 10;
  private static final int P_SAMPLING_SPAN = 80;
  private static final int P_EXECUTED = 92;
  private static final double MB = 1024.0 * 1024.0;

  /** The graph to run and what it reveals. */
  record Input(JsonObject graph, WorkflowFacts facts, String workflowId) {
    /**
     * Reads {@code payload.workflow} (or its alias {@code payload.prompt}): an API-format graph.
     *
     * @throws IllegalArgumentException when absent or not API format
     */
    static Input from(JobContext job) {
      JsonObject p = job.job().payload() == null ? new JsonObject() : job.job().payload();
      Object g = p.getValue("workflow", p.getValue("prompt"));
      if (!(g instanceof JsonObject graph)) {
        throw new IllegalArgumentException("comfyui payload needs 'workflow' (or 'prompt'): an API-format graph object");
      }
      WorkflowFacts facts = WorkflowFacts.of(graph, p.getString("workflow_type"));
      String wf = p.getString("workflow_id", job.job().workflowId());
      return new Input(graph, facts, wf);
    }
  }

  private final Vertx vertx;
  private final Context context;
  private final ComfyUiConfig cfg;
  private final ComfyUiHttp http;
  private final WebSocketClient wsClient;
  private final int port;
  private final JobContext job;
  private final Input input;
  private final ProgressSink progress;
  private final Consumer<String> versionSink;
  private final Promise<JsonObject> promise = Promise.promise();
  /** Ours until the server answers: builds older than caller-chosen ids assign their own, which then wins. */
  private String promptId = UUID.randomUUID().toString();
  private final String clientId = "emp-" + UUID.randomUUID().toString().replace("-", "");
  private final Span span;

  private WebSocket socket;
  private boolean submitted;
  private boolean finishing;
  private boolean done;
  private int reconnects;
  private long deadlineTimer = -1;
  private long submittedAtMs;
  private long executionStartMs;
  private long executionTimeMs = -1;
  private int lastSamplerPercent = -1;
  private int previews;
  private int lastReported = -1;
  private Integer queuePosition;

  ComfyUiRun(Vertx vertx, Context context, ComfyUiConfig cfg, ComfyUiHttp http, WebSocketClient wsClient, int port,
             JobContext job, Input input, ProgressSink progress, Consumer<String> versionSink) {
    this.vertx = vertx;
    this.context = context;
    this.cfg = cfg;
    this.http = http;
    this.wsClient = wsClient;
    this.port = port;
    this.job = job;
    this.input = input;
    this.progress = progress;
    this.versionSink = versionSink;
    this.span = startSpan();
  }

  Context context() {
    return context;
  }

  Future<JsonObject> result() {
    return promise.future();
  }

  private Span startSpan() {
    WorkflowFacts f = input.facts();
    String endpoint = "http://" + cfg.host() + ":" + port;
    Span s = job.tracer().spanBuilder(Seed.Span.COMFYUI_EXECUTE).setParent(job.otelContext())
        .setSpanKind(SpanKind.CLIENT)
        .setAttribute(Seed.Attr.GEN_AI_PROVIDER_NAME, "comfyui")
        .setAttribute(Seed.Attr.GEN_AI_OPERATION_NAME, "invoke_workflow")
        .setAttribute(Seed.Attr.COMFYUI_ENDPOINT, endpoint)
        .setAttribute(Seed.Attr.SERVER_ADDRESS, cfg.host())
        .setAttribute(Seed.Attr.SERVER_PORT, (long) port)
        .setAttribute(Seed.Attr.COMFYUI_PROMPT_ID, promptId)
        .setAttribute(Seed.Attr.COMFYUI_NODE_COUNT, (long) f.nodeCount())
        .setAttribute(Seed.Attr.COMFYUI_ESTIMATED_STEPS, f.estimatedSteps())
        .setAttribute(Seed.Attr.WORKFLOW_TYPE, f.type())
        .setAttribute(Seed.Attr.JOB_ID, job.jobId())
        .startSpan();
    if (input.workflowId() != null) {
      s.setAttribute(Seed.Attr.COMFYUI_WORKFLOW_ID, input.workflowId());
    }
    if (f.model() != null) {
      s.setAttribute(Seed.Attr.WORKFLOW_MODEL, f.model());
      s.setAttribute(Seed.Attr.MODEL_NAME, f.model());
      s.setAttribute(Seed.Attr.GEN_AI_REQUEST_MODEL, f.model());
    }
    if (f.resolution() != null) {
      s.setAttribute(Seed.Attr.WORKFLOW_RESOLUTION, f.resolution());
    }
    if (f.seed() != null) {
      s.setAttribute(Seed.Attr.WORKFLOW_SEED, f.seed());
    }
    if (f.steps() != null) {
      s.setAttribute(Seed.Attr.WORKFLOW_STEPS, f.steps());
    }
    if (f.cfg() != null) {
      s.setAttribute(Seed.Attr.WORKFLOW_CFG_SCALE, f.cfg());
    }
    return s;
  }

  // ---- stage 1: connect and submit ------------------------------------------------------------

  void begin() {
    // The job's deadline is the only timeout: ComfyUI jobs legitimately run for many minutes.
    deadlineTimer = vertx.setTimer(Math.max(1, job.remainingMs()), t -> onDeadline());
    connect()
        .compose(v -> submit())
        .compose(v -> recordQueuePosition())
        .onFailure(this::fail);
  }

  private Future<Void> connect() {
    WebSocketConnectOptions o = new WebSocketConnectOptions().setHost(cfg.host()).setPort(port)
        .setURI("/ws?clientId=" + clientId).setTimeout(Math.max(1, job.remainingMs()));
    return wsClient.connect(o).map(ws -> {
      if (done) {
        ws.close();
        return null;
      }
      socket = ws;
      ws.textMessageHandler(this::onText);
      ws.binaryMessageHandler(this::onBinary);
      ws.closeHandler(v -> onSocketClosed(ws));
      // A socket error is always followed by its close, which is where reconnecting is decided.
      ws.exceptionHandler(e -> { });
      return null;
    });
  }

  private Future<Void> submit() {
    if (done) {
      return Future.succeededFuture();
    }
    JsonObject body = new JsonObject().put("prompt", input.graph()).put("client_id", clientId)
        .put("prompt_id", promptId)
        .put("extra_data", new JsonObject().put("emp_job_id", job.jobId()));
    submitted = true;
    submittedAtMs = System.currentTimeMillis();
    return http.submit(body, Math.max(1, job.remainingMs())).map(resp -> {
      String assigned = resp.getString("prompt_id");
      if (assigned != null && !assigned.equals(promptId)) {
        promptId = assigned;
        span.setAttribute(Seed.Attr.COMFYUI_PROMPT_ID, assigned);
      }
      span.addEvent(Seed.Event.COMFYUI_PROMPT_SUBMITTED, Attributes.builder()
          .put(Seed.Attr.COMFYUI_PROMPT_ID, promptId).build());
      report(P_SUBMITTED, "queued on ComfyUI");
      if (done) {
        // Cancelled while the submit was in flight: take the prompt back out.
        sendCancel();
      }
      return null;
    });
  }

  /** Prompts ahead of ours when it was queued (0: running now). Best effort. */
  private Future<Void> recordQueuePosition() {
    if (done) {
      return Future.succeededFuture();
    }
    return http.queue(Math.max(1, job.remainingMs())).map(q -> {
      JsonArray running = q.getJsonArray("queue_running", new JsonArray());
      JsonArray pending = q.getJsonArray("queue_pending", new JsonArray());
      int ahead = 0;
      if (indexOf(running) < 0) {
        // Pending items carry their priority number first; ComfyUI runs lower numbers first.
        // Neither running nor pending: already finished, so nothing was ahead of it.
        Double ours = null;
        List<Double> numbers = new ArrayList<>();
        for (Object o : pending) {
          if (o instanceof JsonArray item && item.size() > 1 && item.getValue(0) instanceof Number n) {
            numbers.add(n.doubleValue());
            ours = promptId.equals(item.getValue(1)) ? Double.valueOf(n.doubleValue()) : ours;
          }
        }
        if (ours != null) {
          double mine = ours;
          ahead = running.size() + (int) numbers.stream().filter(n -> n < mine).count();
        }
      }
      queuePosition = ahead;
      span.setAttribute(Seed.Attr.COMFYUI_QUEUE_POSITION, (long) ahead);
      return (Void) null;
    }).otherwise(e -> null);
  }

  private int indexOf(JsonArray items) {
    for (int i = 0; i < items.size(); i++) {
      if (items.getValue(i) instanceof JsonArray item && item.size() > 1 && promptId.equals(item.getValue(1))) {
        return i;
      }
    }
    return -1;
  }

  // ---- stage 2: events ------------------------------------------------------------------------

  private void onText(String text) {
    if (done || finishing) {
      return;
    }
    JsonObject msg;
    try {
      msg = new JsonObject(text);
    } catch (RuntimeException notJson) {
      return;
    }
    JsonObject data = msg.getValue("data") instanceof JsonObject d ? d : new JsonObject();
    // Other clients' prompts leak into progress and status broadcasts: only ours count.
    if (!promptId.equals(data.getString("prompt_id"))) {
      return;
    }
    switch (msg.getString("type", "")) {
      case "execution_start" -> {
        executionStartMs = System.currentTimeMillis();
        span.addEvent(Seed.Event.COMFYUI_EXECUTION_STARTED);
        report(P_STARTED, "executing");
      }
      case "progress" -> onProgress(data);
      case "executing" -> {
        if (data.getValue("node") == null) {
          onExecuted();
        } else {
          report(Math.max(P_STARTED, samplerOverall()), "node " + data.getValue("node"));
        }
      }
      case "execution_error" -> fail(ComfyUiFailures.executionError(data));
      case "execution_interrupted" -> fail(new JobCancelledException(
          "ComfyUI interrupted prompt " + promptId + " at node " + data.getValue("node_id")));
      default -> {
        // execution_cached, executed, execution_success, progress_state: the history is the source of truth.
      }
    }
  }

  private void onProgress(JsonObject data) {
    Number value = data.getValue("value") instanceof Number n ? n : null;
    Number max = data.getValue("max") instanceof Number n ? n : null;
    if (value == null || max == null || max.doubleValue() <= 0) {
      return;
    }
    int pct = (int) Math.min(100, Math.round(value.doubleValue() * 100 / max.doubleValue()));
    if (pct == lastSamplerPercent) {
      return;
    }
    lastSamplerPercent = pct;
    span.addEvent(Seed.Event.COMFYUI_PROGRESS_UPDATED, Attributes.builder()
        .put(Seed.Attr.PROGRESS_PERCENTAGE, (long) pct)
        .put("comfyui.node_id", String.valueOf(data.getValue("node")))
        .build());
    report(samplerOverall(), "step " + value.intValue() + "/" + max.intValue());
  }

  private int samplerOverall() {
    return P_STARTED + Math.max(0, lastSamplerPercent) * P_SAMPLING_SPAN / 100;
  }

  private void onBinary(Buffer frame) {
    // 4-byte big-endian event type; 1 and 4 are previews. Counted only: previews are not results.
    if (frame.length() >= 4) {
      int type = frame.getInt(0);
      if (type == 1 || type == 4) {
        previews++;
      }
    }
  }

  /** The WebSocket and the HTTP answer race, so a late "submitted" must not move progress backwards. */
  private void report(int percent, String message) {
    if (percent >= lastReported) {
      lastReported = percent;
      progress.report(percent, message);
    }
  }

  // ---- stage 3: reconnect and reconcile -------------------------------------------------------

  private void onSocketClosed(WebSocket closed) {
    if (done || finishing || closed != socket) {
      return;
    }
    socket = null;
    reconnect(0);
  }

  private void reconnect(int tries) {
    long delay = Math.min(cfg.reconnectMaxMs(), cfg.reconnectInitialMs() << Math.min(tries, 16));
    vertx.setTimer(delay, t -> {
      if (done || finishing) {
        return;
      }
      connect().onSuccess(v -> {
        reconnects++;
        span.addEvent(Seed.Event.COMFYUI_RECONNECTED, Attributes.builder()
            .put(Seed.Attr.COMFYUI_RECONNECTS, (long) reconnects).build());
        reconcile();
      }).onFailure(e -> reconnect(tries + 1));
    });
  }

  /**
   * After a reconnect: events sent while we were away are lost, so ask ComfyUI. Still queued or
   * running → keep listening (the new socket gets the rest). Gone → finished while away: the
   * history has the outcome (ComfyUI stores the history and leaves the queue in one step).
   */
  private void reconcile() {
    if (done || finishing || !submitted) {
      return;
    }
    http.queue(Math.max(1, job.remainingMs())).onComplete(ar -> {
      if (done || finishing) {
        return;
      }
      if (ar.failed()) {
        // The server answers WebSockets but not HTTP: let the socket's next close retry the whole thing.
        socket.close();
        return;
      }
      JsonObject q = ar.result();
      boolean present = indexOf(q.getJsonArray("queue_running", new JsonArray())) >= 0
          || indexOf(q.getJsonArray("queue_pending", new JsonArray())) >= 0;
      if (!present) {
        finishFromHistory(false);
      }
    });
  }

  // ---- stage 4: results -----------------------------------------------------------------------

  private void onExecuted() {
    long start = executionStartMs > 0 ? executionStartMs : submittedAtMs;
    executionTimeMs = System.currentTimeMillis() - start;
    span.addEvent(Seed.Event.COMFYUI_EXECUTION_COMPLETED, Attributes.builder()
        .put(Seed.Attr.COMFYUI_EXECUTION_TIME_MS, executionTimeMs).build());
    finishFromHistory(true);
  }

  /**
   * Reads the history entry and stores the outputs.
   *
   * @param mayLag true after {@code executing null}: an empty history only means "not stored yet"
   *               (execution_success is sent before the history is written), so poll until the deadline
   */
  private void finishFromHistory(boolean mayLag) {
    finishing = true;
    report(P_EXECUTED, "reading results");
    pollHistory(mayLag)
        .compose(this::checkStatus)
        .compose(this::storeOutputs)
        .compose(this::recordSystemStats)
        .onSuccess(this::complete)
        .onFailure(this::fail);
    if (socket != null) {
      socket.close();
    }
  }

  private Future<JsonObject> pollHistory(boolean mayLag) {
    if (done) {
      return Future.failedFuture(new IllegalStateException("run already ended"));
    }
    return http.history(promptId, Math.max(1, job.remainingMs())).compose(entry -> {
      if (entry != null && !entry.isEmpty()) {
        return Future.succeededFuture(entry);
      }
      if (!mayLag) {
        return Future.failedFuture(new ConnectorException(new Failure(Failure.Kind.RETRYABLE, "service_error",
            "prompt_lost", "prompt " + promptId + " is neither queued nor in ComfyUI's history (server restarted?)",
            null)));
      }
      Promise<JsonObject> next = Promise.promise();
      vertx.setTimer(cfg.historyPollMs(), t -> pollHistory(true).onComplete(next));
      return next.future();
    });
  }

  private Future<JsonObject> checkStatus(JsonObject entry) {
    JsonObject status = entry.getJsonObject("status", new JsonObject());
    if (!"error".equals(status.getString("status_str"))) {
      return Future.succeededFuture(entry);
    }
    // Finished badly while the socket was away: the history keeps the execution_* messages.
    for (Object m : status.getJsonArray("messages", new JsonArray())) {
      if (m instanceof JsonArray pair && pair.size() > 1 && pair.getValue(1) instanceof JsonObject data) {
        if ("execution_error".equals(pair.getString(0))) {
          return Future.failedFuture(ComfyUiFailures.executionError(data));
        }
        if ("execution_interrupted".equals(pair.getString(0))) {
          return Future.failedFuture(new JobCancelledException("ComfyUI interrupted prompt " + promptId));
        }
      }
    }
    return Future.failedFuture(new ConnectorException(new Failure(Failure.Kind.RETRYABLE, "service_error",
        "execution_error", "ComfyUI reports prompt " + promptId + " failed", null)));
  }

  private Future<JsonObject> storeOutputs(JsonObject entry) {
    JsonObject outputs = entry.getJsonObject("outputs", new JsonObject());
    List<Future<JsonObject>> stored = new ArrayList<>();
    for (String nodeId : outputs.fieldNames()) {
      JsonObject nodeOut = outputs.getValue(nodeId) instanceof JsonObject o ? o : new JsonObject();
      for (String kind : nodeOut.fieldNames()) {
        if (!(nodeOut.getValue(kind) instanceof JsonArray files)) {
          continue;
        }
        for (Object f : files) {
          if (f instanceof JsonObject file && file.getString("filename") != null) {
            stored.add(storeOne(nodeId, file));
          }
        }
      }
    }
    return Future.all(stored).map(all -> {
      JsonArray out = new JsonArray();
      all.<JsonObject>list().forEach(out::add);
      span.addEvent(Seed.Event.COMFYUI_RESULTS_RETRIEVED, Attributes.builder()
          .put(Seed.Attr.COMFYUI_OUTPUT_COUNT, (long) out.size()).build());
      span.setAttribute(Seed.Attr.COMFYUI_OUTPUT_COUNT, (long) out.size());
      return new JsonObject().put("prompt_id", promptId).put("endpoint", "http://" + cfg.host() + ":" + port)
          .put("outputs", out);
    });
  }

  private Future<JsonObject> storeOne(String nodeId, JsonObject file) {
    String filename = file.getString("filename");
    String subfolder = file.getString("subfolder", "");
    String type = file.getString("type", "output");
    // ResultStore names carry no directories: flatten the subfolder into the name.
    String name = (subfolder.isEmpty() ? "" : subfolder.replaceAll("[/\\\\]", "_") + "_") + filename;
    return http.view(filename, subfolder, type, Math.max(1, job.remainingMs()))
        .compose(resp -> job.results().store(job.jobId(), name, resp.body() == null ? Buffer.buffer() : resp.body(),
            contentType(resp.getHeader("Content-Type"), filename)))
        .map(s -> new JsonObject().put("node_id", nodeId).put("filename", filename).put("subfolder", subfolder)
            .put("type", type).put("uri", s.uri()).put("bytes", s.bytes()).put("content_type", s.contentType())
            .put("sha256", s.sha256()));
  }

  private static String contentType(String header, String filename) {
    if (header != null && !header.isBlank()) {
      return header;
    }
    String f = filename.toLowerCase(Locale.ROOT);
    return f.endsWith(".png") ? "image/png" : f.endsWith(".jpg") || f.endsWith(".jpeg") ? "image/jpeg"
        : f.endsWith(".webp") ? "image/webp" : f.endsWith(".mp4") ? "video/mp4" : "application/octet-stream";
  }

  /** VRAM and RAM in use after the run (first device: one ComfyUI serves one GPU). Best effort. */
  private Future<JsonObject> recordSystemStats(JsonObject result) {
    return http.systemStats(Math.max(1, job.remainingMs())).map(stats -> {
      JsonObject system = stats.getJsonObject("system", new JsonObject());
      if (system.getString("comfyui_version") != null) {
        versionSink.accept(system.getString("comfyui_version"));
        result.put("comfyui_version", system.getString("comfyui_version"));
      }
      if (system.getValue("ram_total") instanceof Number t && system.getValue("ram_free") instanceof Number f) {
        span.setAttribute(Seed.Attr.COMFYUI_MEMORY_USAGE_MB, (long) ((t.doubleValue() - f.doubleValue()) / MB));
      }
      JsonArray devices = stats.getJsonArray("devices", new JsonArray());
      if (!devices.isEmpty() && devices.getValue(0) instanceof JsonObject d
          && d.getValue("vram_total") instanceof Number t && d.getValue("vram_free") instanceof Number f) {
        long usedMb = (long) ((t.doubleValue() - f.doubleValue()) / MB);
        span.setAttribute(Seed.Attr.COMFYUI_VRAM_USAGE_MB, usedMb);
        result.put("vram_usage_mb", usedMb);
      }
      return result;
    }).otherwise(result);
  }

  // ---- ending ---------------------------------------------------------------------------------

  /** Client cancel or shutdown: take the prompt out of the queue and stop it if running. */
  Future<Void> cancel() {
    if (done) {
      return Future.succeededFuture();
    }
    Future<Void> sent = submitted ? sendCancel() : Future.succeededFuture();
    fail(new JobCancelledException("job " + job.jobId() + " cancelled"));
    return sent;
  }

  private Future<Void> sendCancel() {
    long t = Math.max(5_000, job.remainingMs());
    return Future.join(http.deleteFromQueue(promptId, t), http.interrupt(promptId, t)).<Void>mapEmpty()
        .otherwiseEmpty();
  }

  private void onDeadline() {
    if (done) {
      return;
    }
    if (submitted) {
      sendCancel();
    }
    fail(new ConnectorException(Failure.retryable("timeout", "ComfyUI prompt " + promptId
        + " did not finish before the job deadline"), new TimeoutException("job deadline")));
  }

  private void complete(JsonObject result) {
    if (done) {
      return;
    }
    if (executionTimeMs >= 0) {
      result.put("execution_time_ms", executionTimeMs);
      span.setAttribute(Seed.Attr.COMFYUI_EXECUTION_TIME_MS, executionTimeMs);
    }
    if (queuePosition != null) {
      result.put("queue_position", queuePosition);
    }
    result.put("previews_received", previews);
    end();
    span.setAttribute(Seed.Attr.COMFYUI_RECONNECTS, (long) reconnects);
    span.end();
    promise.complete(result);
  }

  private void fail(Throwable error) {
    if (done) {
      return;
    }
    end();
    Failure f = FailureClassifier.classify(error);
    span.setAttribute(Seed.Attr.COMFYUI_RECONNECTS, (long) reconnects);
    span.setAttribute(Seed.Attr.ERROR_TYPE, f.code() != null ? f.code() : f.type());
    if (f.kind() != Failure.Kind.CANCELLED) {
      span.setStatus(StatusCode.ERROR, f.type());
    }
    io.emp.jobqueue.worker.WorkerSpans.recordException(span, error, io.emp.jobqueue.core.model.SecretRedactor.PATTERNS);
    span.end();
    promise.fail(error);
  }

  private void end() {
    done = true;
    if (deadlineTimer >= 0) {
      vertx.cancelTimer(deadlineTimer);
    }
    if (socket != null) {
      socket.close();
      socket = null;
    }
  }
}
