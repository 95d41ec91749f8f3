package io.emp.jobqueue.worker.connectors.comfyui;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * A run's WebSocket to ComfyUI ({@code /ws?clientId=}): opened once, re-opened with backoff when it
 * drops while the run still listens, closed when the run no longer needs it. Runs on the run's context.
 */
final class ComfyUiSocket {
  /** What the run hears. */
  interface Listener {
    void onText(String text);

    void onBinary(Buffer frame);

    /** The socket is open again after a drop: events sent meanwhile are lost, so reconcile. */
    void onReopened(int reopens);
  }

  private final Vertx vertx;
  private final WebSocketClient client;
  private final ComfyUiConfig cfg;
  private final int port;
  private final String clientId = "emp-" + UUID.randomUUID().toString().replace("-", "");
  private final BooleanSupplier stopped;
  private final LongSupplier timeoutMs;
  private final Listener listener;
  private WebSocket socket;
  private int reopens;

  /**
   * @param stopped true once the run no longer listens (ended or reading its results)
   * @param timeoutMs what is left of the job's deadline, the limit of each connect
   */
  ComfyUiSocket(Vertx vertx, WebSocketClient client, ComfyUiConfig cfg, int port, BooleanSupplier stopped,
                LongSupplier timeoutMs, Listener listener) {
    this.vertx = vertx;
    this.client = client;
    this.cfg = cfg;
    this.port = port;
    this.stopped = stopped;
    this.timeoutMs = timeoutMs;
    this.listener = listener;
  }

  /** The client id ComfyUI sends this socket's prompts' events to. */
  String clientId() {
    return clientId;
  }

  int reopens() {
    return reopens;
  }

  Future<Void> open() {
    WebSocketConnectOptions o = new WebSocketConnectOptions().setHost(cfg.host()).setPort(port)
        .setURI("/ws?clientId=" + clientId).setTimeout(Math.max(1, timeoutMs.getAsLong()));
    return client.connect(o).map(ws -> {
      if (stopped.getAsBoolean()) {
        ws.close();
        return null;
      }
      socket = ws;
      ws.textMessageHandler(listener::onText);
      ws.binaryMessageHandler(listener::onBinary);
      ws.closeHandler(v -> onClosed(ws));
      // A socket error is always followed by its close, which is where reopening is decided.
      ws.exceptionHandler(e -> { });
      return null;
    });
  }

  /** Closes the socket; while the run still listens, that reopens it (a fresh start after a bad state). */
  void close() {
    if (socket != null) {
      WebSocket s = socket;
      if (stopped.getAsBoolean()) {
        socket = null;
      }
      s.close();
    }
  }

  private void onClosed(WebSocket closed) {
    if (stopped.getAsBoolean() || closed != socket) {
      return;
    }
    socket = null;
    reopen(0);
  }

  private void reopen(int tries) {
    long delay = Math.min(cfg.reconnectMaxMs(), cfg.reconnectInitialMs() << Math.min(tries, 16));
    vertx.setTimer(delay, t -> {
      if (stopped.getAsBoolean()) {
        return;
      }
      open().onSuccess(v -> {
        reopens++;
        listener.onReopened(reopens);
      }).onFailure(e -> reopen(tries + 1));
    });
  }
}
