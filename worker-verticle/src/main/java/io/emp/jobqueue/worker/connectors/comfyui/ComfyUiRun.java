package io.emp.jobqueue.worker.connectors.comfyui;

import io.emp.jobqueue.core.model.Failure;
import io.emp.jobqueue.worker.spi.ConnectorException;
import io.emp.jobqueue.worker.spi.FailureClassifier;
import io.emp.jobqueue.worker.spi.JobCancelledException;
import io.emp.jobqueue.worker.spi.JobContext;
import io.emp.jobqueue.worker.spi.ProgressSink;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One job on one ComfyUI server. Stages: open the WebSocket, submit, follow events, then read the
 * history and store the outputs. All methods run on {@link #context()}.
 */
final class ComfyUiRun implements ComfyUiSocket.Listener {
  private final Vertx vertx;
  private final Context context;
  private final ComfyUiConfig cfg;
  private final ComfyUiHttp http;
  private final int port;
  private final JobContext job;
  private final ComfyUiInput input;
  private final ComfyUiProgress progress;
  private final Consumer<String> versionSink;
  private final Promise<JsonObject> promise = Promise.promise();
  /** Ours until the server answers: builds older than caller-chosen ids assign their own, which then wins. */
  private String promptId = UUID.randomUUID().toString();
  private final ComfyUiSpans span;

  private final ComfyUiSocket socket;
  private boolean submitted;
  private boolean finishing;
  private boolean done;
  private long deadlineTimer = -1;
  private long submittedAtMs;
  private long executionStartMs;
  private long executionTimeMs = -1;
  private int previews;
  private Integer queuePosition;

  ComfyUiRun(Vertx vertx, Context context, ComfyUiConfig cfg, ComfyUiHttp http, WebSocketClient wsClient, int port,
             JobContext job, ComfyUiInput input, ProgressSink progress, Consumer<String> versionSink) {
    this.vertx = vertx;
    this.context = context;
    this.cfg = cfg;
    this.http = http;
    this.port = port;
    this.job = job;
    this.input = input;
    this.progress = new ComfyUiProgress(progress);
    this.versionSink = versionSink;
    this.span = ComfyUiSpans.start(job, cfg.host(), port, promptId, input);
    this.socket = new ComfyUiSocket(vertx, wsClient, cfg, port, () -> done || finishing, job::remainingMs, this);
  }

  Context context() {
    return context;
  }

  Future<JsonObject> result() {
    return promise.future();
  }

  // ---- stage 1: connect and submit ------------------------------------------------------------

  void begin() {
    // The job's deadline is the only timeout: ComfyUI jobs legitimately run for many minutes.
    deadlineTimer = vertx.setTimer(Math.max(1, job.remainingMs()), t -> onDeadline());
    socket.open()
        .compose(v -> submit())
        .compose(v -> recordQueuePosition())
        .onFailure(this::fail);
  }

  private Future<Void> submit() {
    if (done) {
      return Future.succeededFuture();
    }
    JsonObject body = new JsonObject().put("prompt", input.graph()).put("client_id", socket.clientId())
        .put("prompt_id", promptId)
        .put("extra_data", new JsonObject().put("emp_job_id", job.jobId()));
    submitted = true;
    submittedAtMs = System.currentTimeMillis();
    return http.submit(body, span.outbound(), Math.max(1, job.remainingMs())).map(resp -> {
      String assigned = resp.getString("prompt_id");
      boolean changed = assigned != null && !assigned.equals(promptId);
      if (changed) {
        promptId = assigned;
      }
      span.submitted(promptId, changed);
      progress.submitted();
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
      queuePosition = QueueSnapshot.of(q).ahead(promptId);
      span.queuePosition(queuePosition);
      return (Void) null;
    }).otherwise(e -> null);
  }

  // ---- stage 2: events ------------------------------------------------------------------------

  @Override
  public void onText(String text) {
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
        span.executionStarted();
        progress.started();
      }
      case "progress" -> onProgress(data);
      case "executing" -> {
        if (data.getValue("node") == null) {
          onExecuted();
        } else {
          progress.node(data.getValue("node"));
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
    int pct = progress.sampler(data.getValue("value"), data.getValue("max"));
    if (pct >= 0) {
      span.progress(pct, data.getValue("node"));
    }
  }

  @Override
  public void onBinary(Buffer frame) {
    // 4-byte big-endian event type; 1 and 4 are previews. Counted only: previews are not results.
    if (frame.length() >= 4) {
      int type = frame.getInt(0);
      if (type == 1 || type == 4) {
        previews++;
      }
    }
  }

  // ---- stage 3: reconnect and reconcile -------------------------------------------------------

  @Override
  public void onReopened(int reopens) {
    span.reconnected(reopens);
    reconcile();
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
      if (!QueueSnapshot.of(ar.result()).contains(promptId)) {
        finishFromHistory(false);
      }
    });
  }

  // ---- stage 4: results -----------------------------------------------------------------------

  private void onExecuted() {
    long start = executionStartMs > 0 ? executionStartMs : submittedAtMs;
    executionTimeMs = System.currentTimeMillis() - start;
    span.executionCompleted(executionTimeMs);
    finishFromHistory(true);
  }

  /** Reads the history entry and stores the outputs ({@code mayLag}: see {@link ComfyUiResults#history}). */
  private void finishFromHistory(boolean mayLag) {
    finishing = true;
    progress.executed();
    ComfyUiResults results = new ComfyUiResults(vertx, cfg, http, job, span, port);
    results.history(promptId, mayLag, () -> done)
        .compose(entry -> results.checkStatus(entry, promptId))
        .compose(entry -> results.storeOutputs(entry, promptId))
        .compose(result -> results.recordSystemStats(result, versionSink))
        .onSuccess(this::complete)
        .onFailure(this::fail);
    socket.close();
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
    }
    if (queuePosition != null) {
      result.put("queue_position", queuePosition);
    }
    result.put("previews_received", previews);
    end();
    span.completed(executionTimeMs, socket.reopens());
    promise.complete(result);
  }

  private void fail(Throwable error) {
    if (done) {
      return;
    }
    end();
    span.failed(FailureClassifier.classify(error), error, socket.reopens());
    promise.fail(error);
  }

  private void end() {
    done = true;
    if (deadlineTimer >= 0) {
      vertx.cancelTimer(deadlineTimer);
    }
    socket.close();
  }
}
