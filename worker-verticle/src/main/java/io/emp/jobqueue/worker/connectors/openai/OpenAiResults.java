package io.emp.jobqueue.worker.connectors.openai;

import io.emp.jobqueue.core.model.Failure;
import io.emp.jobqueue.worker.spi.ConnectorException;
import io.emp.jobqueue.worker.spi.JobContext;
import io.emp.jobqueue.worker.spi.ResultStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** A 2xx answer turned into the job's result: chat content, or images stored (b64) or referenced (url). */
final class OpenAiResults {
  private OpenAiResults() {
  }

  static Future<JsonObject> of(Vertx vertx, JobContext job, OpenAiRequest req, OpenAiCall.Reply reply) {
    JsonObject body = reply.body();
    OpenAiSpans span = reply.spans();
    JsonObject usage = body.getJsonObject("usage");
    if (usage != null) {
      span.usage(usage);
    }
    JsonObject result = new JsonObject().put("operation", req.operation().genAiName).put("model", req.model());
    if (reply.limits().requestId() != null) {
      result.put("request_id", reply.limits().requestId());
    }
    if (usage != null) {
      result.put("usage", usage);
    }
    if (req.operation() == OpenAiRequest.Operation.CHAT) {
      return Future.succeededFuture(chat(body, span, result));
    }
    return images(vertx, job, body, span, result);
  }

  private static JsonObject chat(JsonObject body, OpenAiSpans span, JsonObject result) {
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
    span.chat(body, reasons, outputs);
    JsonObject first = outputs.isEmpty() ? new JsonObject() : outputs.getJsonObject(0);
    return result.put("id", body.getString("id")).put("response_model", body.getString("model"))
        .put("content", first.getValue("content")).put("finish_reason", reasons.isEmpty() ? null : reasons.get(0))
        .put("message", first);
  }

  private static Future<JsonObject> images(Vertx vertx, JobContext job, JsonObject body, OpenAiSpans span,
                                           JsonObject result) {
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
            .map(OpenAiResults::storedJson));
      } else if (d.getString("url") != null) {
        images.add(Future.succeededFuture(new JsonObject().put("url", d.getString("url"))));
      }
    }
    span.images(images.size());
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
}
