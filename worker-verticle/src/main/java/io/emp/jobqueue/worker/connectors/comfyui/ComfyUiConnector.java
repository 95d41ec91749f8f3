package io.emp.jobqueue.worker.connectors.comfyui;

import io.emp.jobqueue.core.model.Failure;
import io.emp.jobqueue.worker.spi.Connector;
import io.emp.jobqueue.worker.spi.ConnectorException;
import io.emp.jobqueue.worker.spi.ConnectorHealth;
import io.emp.jobqueue.worker.spi.JobContext;
import io.emp.jobqueue.worker.spi.ProgressSink;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs API-format ComfyUI graphs: one WebSocket per job ({@code /ws?clientId=}), {@code POST /prompt}
 * with a caller-chosen prompt id, events filtered by that id, results read from {@code /history}
 * and {@code /view} and stored through the job's {@link io.emp.jobqueue.worker.spi.ResultStore}.
 * A dropped socket is re-opened and the job reconciled through {@code /queue} and {@code /history};
 * the prompt is never submitted twice. See {@code docs/connectors.md} for the payload.
 */
public final class ComfyUiConnector implements Connector {
  public static final String TYPE = "comfyui";

  private final ComfyUiConfig cfg;
  private final Map<String, ComfyUiRun> runs = new ConcurrentHashMap<>();
  private final Map<Integer, ComfyUiHttp> endpoints = new ConcurrentHashMap<>();
  private volatile String lastEndpoint;
  private volatile String serverVersion;
  private Vertx vertx;
  private WebClient http;
  private WebSocketClient ws;

  public ComfyUiConnector(ComfyUiConfig cfg) {
    this.cfg = cfg;
    this.lastEndpoint = cfg.endpoint(-1);
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Future<Void> start(Vertx vertx) {
    this.vertx = vertx;
    this.http = WebClient.create(vertx, new WebClientOptions().setUserAgent("emp-job-queue-worker"));
    this.ws = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxFrameSize(cfg.maxMessageBytes()).setMaxMessageSize(cfg.maxMessageBytes()));
    return Future.succeededFuture();
  }

  @Override
  public Future<JsonObject> process(JobContext job, ProgressSink progress) {
    ComfyUiInput input;
    try {
      input = ComfyUiInput.from(job);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new ConnectorException(Failure.permanent("validation_error", e.getMessage()), e));
    }
    // the factory bound this connector to its machine slot's own ComfyUI instance (its port)
    int port = cfg.basePort();
    lastEndpoint = cfg.endpoint(-1);
    ComfyUiHttp endpoint = endpoints.computeIfAbsent(port, p -> new ComfyUiHttp(http, cfg.host(), p));
    // Every callback of one run executes on this one event-loop context, so the run needs no locks.
    Context context = vertx.getOrCreateContext();
    ComfyUiRun run = new ComfyUiRun(vertx, context, cfg, endpoint, ws, port, job, input, progress,
        v -> serverVersion = v);
    runs.put(job.jobId(), run);
    context.runOnContext(v -> run.begin());
    return run.result().onComplete(ar -> runs.remove(job.jobId(), run));
  }

  /** Deletes the prompt from ComfyUI's queue and interrupts it if running; the run then fails as cancelled. */
  @Override
  public Future<Void> cancel(String jobId) {
    ComfyUiRun run = runs.get(jobId);
    if (run == null) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    run.context().runOnContext(v -> run.cancel().onComplete(done));
    return done.future();
  }

  @Override
  public Future<ConnectorHealth> health() {
    ComfyUiHttp base = endpoints.computeIfAbsent(cfg.port(-1), p -> new ComfyUiHttp(http, cfg.host(), p));
    return base.systemStats(5_000).map(s -> {
      serverVersion = s.getJsonObject("system", new JsonObject()).getString("comfyui_version", serverVersion);
      return ConnectorHealth.healthy(TYPE);
    }).otherwise(e -> ConnectorHealth.unhealthy(TYPE, "ComfyUI at " + cfg.endpoint(-1) + " unreachable: "
        + e.getMessage()));
  }

  @Override
  public ExternalService externalService() {
    return new ExternalService(TYPE, lastEndpoint, serverVersion);
  }

  @Override
  public Future<Void> stop() {
    runs.values().forEach(r -> r.context().runOnContext(v -> r.cancel()));
    Future<Void> closed = ws == null ? Future.succeededFuture() : ws.close();
    if (http != null) {
      http.close();
    }
    return closed;
  }
}
