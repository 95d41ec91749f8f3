package io.emp.jobqueue.worker.connectors.comfyui;

import io.emp.jobqueue.core.model.Failure;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.worker.spi.ConnectorException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

/**
 * The HTTP routes of one ComfyUI server. Every call takes its timeout from the caller (the job's
 * remaining time), never a fixed short one.
 */
final class ComfyUiHttp {
  private final WebClient client;
  private final String host;
  private final int port;

  ComfyUiHttp(WebClient client, String host, int port) {
    this.client = client;
    this.host = host;
    this.port = port;
  }

  /**
   * POST /prompt, carrying the run's W3C trace context (for a tracing proxy or a ComfyUI extension);
   * a 400 fails with {@link ComfyUiPromptRejectedException}. Returns the 200 body.
   */
  Future<JsonObject> submit(JsonObject body, TraceContext trace, long timeoutMs) {
    HttpRequest<Buffer> post = client.post(port, host, "/prompt").timeout(timeoutMs);
    if (trace.traceparent() != null) {
      post.putHeader("traceparent", trace.traceparent());
    }
    return post.sendJsonObject(body).compose(r -> {
      if (r.statusCode() == 200) {
        return Future.succeededFuture(json(r));
      }
      if (r.statusCode() == 400) {
        return Future.failedFuture(ComfyUiFailures.rejected(json(r)));
      }
      return Future.failedFuture(new ConnectorException(new Failure(Failure.Kind.RETRYABLE, "service_error",
          "prompt_submit_failed", "ComfyUI answered " + r.statusCode() + " to POST /prompt", "http_" + r.statusCode())));
    });
  }

  /** GET /history/{id}: the entry, or null while ComfyUI has not stored it (it answers {} then). */
  Future<JsonObject> history(String promptId, long timeoutMs) {
    return client.get(port, host, "/history/" + promptId).timeout(timeoutMs).send()
        .compose(r -> ok(r, "GET /history")).map(j -> j.getJsonObject(promptId));
  }

  /** GET /queue → {queue_running:[...], queue_pending:[...]}. */
  Future<JsonObject> queue(long timeoutMs) {
    return client.get(port, host, "/queue").timeout(timeoutMs).send().compose(r -> ok(r, "GET /queue"));
  }

  Future<Void> deleteFromQueue(String promptId, long timeoutMs) {
    return client.post(port, host, "/queue").timeout(timeoutMs)
        .sendJsonObject(new JsonObject().put("delete", new JsonArray().add(promptId))).mapEmpty();
  }

  /** Interrupts only this prompt (newer builds): an interrupt without a body would stop anyone's job. */
  Future<Void> interrupt(String promptId, long timeoutMs) {
    return client.post(port, host, "/interrupt").timeout(timeoutMs)
        .sendJsonObject(new JsonObject().put("prompt_id", promptId)).mapEmpty();
  }

  Future<HttpResponse<Buffer>> view(String filename, String subfolder, String type, long timeoutMs) {
    return client.get(port, host, "/view").timeout(timeoutMs).addQueryParam("filename", filename)
        .addQueryParam("subfolder", subfolder == null ? "" : subfolder)
        .addQueryParam("type", type == null ? "output" : type).send().compose(r -> r.statusCode() == 200
            ? Future.succeededFuture(r)
            : Future.failedFuture(new ConnectorException(new Failure(Failure.Kind.RETRYABLE, "service_error",
                "output_missing", "GET /view " + filename + " answered " + r.statusCode(), "http_" + r.statusCode()))));
  }

  Future<JsonObject> systemStats(long timeoutMs) {
    return client.get(port, host, "/system_stats").timeout(timeoutMs).send().compose(r -> ok(r, "GET /system_stats"));
  }

  private static Future<JsonObject> ok(HttpResponse<Buffer> r, String what) {
    if (r.statusCode() != 200) {
      return Future.failedFuture(new ConnectorException(new Failure(Failure.Kind.RETRYABLE, "service_error", null,
          what + " answered " + r.statusCode(), "http_" + r.statusCode())));
    }
    return Future.succeededFuture(json(r));
  }

  private static JsonObject json(HttpResponse<Buffer> r) {
    try {
      JsonObject j = r.bodyAsJsonObject();
      return j == null ? new JsonObject() : j;
    } catch (RuntimeException notJson) {
      return new JsonObject();
    }
  }
}
