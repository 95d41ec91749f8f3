package io.emp.jobqueue.worker.connectors.comfyui;

import io.emp.jobqueue.core.model.Failure;
import io.emp.jobqueue.worker.spi.ConnectorException;
import io.emp.jobqueue.worker.spi.JobCancelledException;
import io.emp.jobqueue.worker.spi.JobContext;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The end of a run: a history entry turned into the job's result (outputs fetched from {@code /view}
 * and stored through the job's result store) or into the failure it reports.
 */
final class ComfyUiResults {
  private final Vertx vertx;
  private final ComfyUiConfig cfg;
  private final ComfyUiHttp http;
  private final JobContext job;
  private final ComfyUiSpans spans;
  private final String endpoint;

  ComfyUiResults(Vertx vertx, ComfyUiConfig cfg, ComfyUiHttp http, JobContext job, ComfyUiSpans spans, int port) {
    this.vertx = vertx;
    this.cfg = cfg;
    this.http = http;
    this.job = job;
    this.spans = spans;
    this.endpoint = "http://" + cfg.host() + ":" + port;
  }

  /**
   * The prompt's history entry.
   *
   * @param mayLag true after {@code executing null}: an empty history only means "not stored yet"
   *               (execution_success is sent before the history is written), so poll until the deadline
   * @param ended true once the run has ended otherwise (cancel, deadline): polling stops
   */
  Future<JsonObject> history(String promptId, boolean mayLag, BooleanSupplier ended) {
    if (ended.getAsBoolean()) {
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
      vertx.setTimer(cfg.historyPollMs(), t -> history(promptId, true, ended).onComplete(next));
      return next.future();
    });
  }

  /** The entry when the prompt succeeded; its execution_* failure when it did not. */
  Future<JsonObject> checkStatus(JsonObject entry, String promptId) {
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

  /** Stores every output file the entry names: {prompt_id, endpoint, outputs: [...]}. */
  Future<JsonObject> storeOutputs(JsonObject entry, String promptId) {
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
      spans.resultsRetrieved(out.size());
      return new JsonObject().put("prompt_id", promptId).put("endpoint", endpoint).put("outputs", out);
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

  static String contentType(String header, String filename) {
    if (header != null && !header.isBlank()) {
      return header;
    }
    String f = filename.toLowerCase(Locale.ROOT);
    return f.endsWith(".png") ? "image/png" : f.endsWith(".jpg") || f.endsWith(".jpeg") ? "image/jpeg"
        : f.endsWith(".webp") ? "image/webp" : f.endsWith(".mp4") ? "video/mp4" : "application/octet-stream";
  }

  /** VRAM and RAM in use after the run (first device: one ComfyUI serves one GPU). Best effort. */
  Future<JsonObject> recordSystemStats(JsonObject result, Consumer<String> versionSink) {
    return http.systemStats(Math.max(1, job.remainingMs())).map(stats -> {
      JsonObject system = stats.getJsonObject("system", new JsonObject());
      if (system.getString("comfyui_version") != null) {
        versionSink.accept(system.getString("comfyui_version"));
        result.put("comfyui_version", system.getString("comfyui_version"));
      }
      if (system.getValue("ram_total") instanceof Number t && system.getValue("ram_free") instanceof Number f) {
        spans.ramInUse(t.doubleValue() - f.doubleValue());
      }
      JsonArray devices = stats.getJsonArray("devices", new JsonArray());
      if (!devices.isEmpty() && devices.getValue(0) instanceof JsonObject d
          && d.getValue("vram_total") instanceof Number t && d.getValue("vram_free") instanceof Number f) {
        result.put("vram_usage_mb", spans.vramInUse(t.doubleValue() - f.doubleValue()));
      }
      return result;
    }).otherwise(result);
  }
}
