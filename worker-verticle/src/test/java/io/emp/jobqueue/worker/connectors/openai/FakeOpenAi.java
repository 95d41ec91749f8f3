package io.emp.jobqueue.worker.connectors.openai;

import io.emp.jobqueue.worker.connectors.ConnectorTestSupport;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenAI API on a real socket: {@code /v1/chat/completions} and {@code /v1/images/generations}
 * with the real response shapes, headers and error bodies. Scripted answers are served first, one per
 * request, then normal success.
 */
public final class FakeOpenAi implements AutoCloseable {
  /** A 1x1 transparent PNG. */
  public static final byte[] PNG = Base64.getDecoder().decode(
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");

  /** What the next request gets. */
  public enum Script { RATE_LIMIT, RATE_LIMIT_MS, RATE_LIMIT_LONG_WAIT, QUOTA, SERVER_ERROR, OVERLOADED, BAD_REQUEST,
    SLOW,
    /** Streamed chat: an error chunk after the first tokens. */
    STREAM_ERROR,
    /** Streamed chat: the connection ends after the first tokens, without finish reason or [DONE]. */
    STREAM_TRUNCATED }

  private final Vertx vertx;
  private final String apiKey;
  private final Deque<Script> scripts = new ConcurrentLinkedDeque<>();
  private final AtomicInteger requests = new AtomicInteger();
  private final List<JsonObject> bodies = new CopyOnWriteArrayList<>();
  private final List<String> authHeaders = new CopyOnWriteArrayList<>();
  private final List<String> traceparents = new CopyOnWriteArrayList<>();
  private volatile long slowMs = 5_000;
  private volatile boolean echoKey;
  private HttpServer server;

  public FakeOpenAi(Vertx vertx, String apiKey) {
    this.vertx = vertx;
    this.apiKey = apiKey;
  }

  public FakeOpenAi start() {
    server = ConnectorTestSupport.get(vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1"));
    return this;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort() + "/v1";
  }

  public FakeOpenAi script(Script... s) {
    scripts.addAll(List.of(s));
    return this;
  }

  /** A 401 quotes the key it was sent in full, as some OpenAI-compatible providers do. */
  public FakeOpenAi echoKeyOnAuthError() {
    echoKey = true;
    return this;
  }

  public FakeOpenAi slowMs(long ms) {
    slowMs = ms;
    return this;
  }

  public int requests() {
    return requests.get();
  }

  public List<JsonObject> bodies() {
    return bodies;
  }

  public List<String> authHeaders() {
    return authHeaders;
  }

  /** The traceparent header of each request (the string "null" when it had none). */
  public List<String> traceparents() {
    return traceparents;
  }

  private void handle(HttpServerRequest req) {
    req.body().onSuccess(buf -> {
      requests.incrementAndGet();
      String auth = req.getHeader("Authorization");
      authHeaders.add(String.valueOf(auth));
      traceparents.add(String.valueOf(req.getHeader("traceparent")));
      JsonObject body = buf.length() == 0 ? new JsonObject() : buf.toJsonObject();
      bodies.add(body);
      if (auth == null || !auth.equals("Bearer " + apiKey)) {
        String sent = auth == null ? "" : auth.replaceFirst("^Bearer ", "");
        error(req, 401, echoKey ? "Incorrect API key provided: " + sent + ". (Authorization: " + auth + ")"
            : "Incorrect API key provided: sk-...xxxx.", "invalid_request_error", "invalid_api_key");
        return;
      }
      Script s = scripts.poll();
      if (s == Script.STREAM_ERROR || s == Script.STREAM_TRUNCATED) {
        stream(req, body, s);
        return;
      }
      if (s != null && s != Script.SLOW) {
        scripted(req, s);
        return;
      }
      long delay = s == Script.SLOW ? slowMs : 0;
      Runnable answer = () -> {
        switch (req.path()) {
          case "/v1/chat/completions" -> chat(req, body);
          case "/v1/images/generations" -> image(req, body);
          default -> error(req, 404, "Unknown request URL: POST " + req.path(), "invalid_request_error", null);
        }
      };
      if (delay > 0) {
        vertx.setTimer(delay, t -> answer.run());
      } else {
        answer.run();
      }
    });
  }

  private void scripted(HttpServerRequest req, Script s) {
    switch (s) {
      case RATE_LIMIT -> {
        req.response().putHeader("Retry-After", "1");
        error(req, 429, "Rate limit reached for gpt-4o on tokens per min (TPM). Please try again in 1s.", "tokens",
            "rate_limit_exceeded");
      }
      case RATE_LIMIT_MS -> {
        req.response().putHeader("retry-after-ms", "50");
        error(req, 429, "Rate limit reached", "requests", "rate_limit_exceeded");
      }
      case RATE_LIMIT_LONG_WAIT -> {
        req.response().putHeader("Retry-After", "30");
        error(req, 429, "Rate limit reached", "requests", "rate_limit_exceeded");
      }
      case QUOTA -> {
        // Real servers may still send Retry-After here; a correct client ignores it for a quota error.
        req.response().putHeader("Retry-After", "1");
        error(req, 429, "You exceeded your current quota, please check your plan and billing details.",
            "insufficient_quota", "insufficient_quota");
      }
      case SERVER_ERROR -> error(req, 500, "The server had an error while processing your request.", "server_error",
          null);
      case OVERLOADED -> error(req, 503, "The engine is currently overloaded, please try again later.",
          "service_unavailable_error", "server_is_overloaded");
      case BAD_REQUEST -> error(req, 400, "Invalid value for 'size'.", "invalid_request_error", "invalid_value");
      default -> throw new IllegalStateException(s.name());
    }
  }

  private void headers(HttpServerRequest req) {
    req.response().putHeader("content-type", "application/json")
        .putHeader("x-request-id", "req_" + HexFormat.of().formatHex(UUID.randomUUID().toString().getBytes(), 0, 16))
        .putHeader("openai-processing-ms", "321")
        .putHeader("openai-version", "2020-10-01")
        .putHeader("x-ratelimit-limit-requests", "500")
        .putHeader("x-ratelimit-remaining-requests", "499")
        .putHeader("x-ratelimit-reset-requests", "120ms")
        .putHeader("x-ratelimit-limit-tokens", "30000")
        .putHeader("x-ratelimit-remaining-tokens", "29000")
        .putHeader("x-ratelimit-reset-tokens", "6m0s");
  }

  private void error(HttpServerRequest req, int status, String message, String type, String code) {
    headers(req);
    JsonObject err = new JsonObject().put("message", message).put("type", type).putNull("param").put("code", code);
    req.response().setStatusCode(status).end(new JsonObject().put("error", err).encode());
  }

  private void chat(HttpServerRequest req, JsonObject body) {
    if (Boolean.TRUE.equals(body.getValue("stream"))) {
      stream(req, body, null);
      return;
    }
    headers(req);
    String model = body.getString("model");
    JsonObject resp = new JsonObject().put("id", "chatcmpl-" + UUID.randomUUID().toString().replace("-", ""))
        .put("object", "chat.completion").put("created", System.currentTimeMillis() / 1000)
        .put("model", model + "-2024-08-06")
        .put("choices", new JsonArray().add(new JsonObject().put("index", 0)
            .put("message", new JsonObject().put("role", "assistant").put("content", "Hello from the fake.")
                .putNull("refusal"))
            .putNull("logprobs").put("finish_reason", "stop")))
        .put("usage", new JsonObject().put("prompt_tokens", 13).put("completion_tokens", 5).put("total_tokens", 18))
        .put("service_tier", "default");
    req.response().end(resp.encode());
  }

  /** Server-sent events the way OpenAI sends them, with a comment line and an obfuscation field to tolerate. */
  private void stream(HttpServerRequest req, JsonObject body, Script failure) {
    headers(req);
    req.response().putHeader("content-type", "text/event-stream; charset=utf-8").setChunked(true);
    String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
    String model = body.getString("model") + "-2024-08-06";
    List<String> events = new java.util.ArrayList<>();
    events.add(": keep-alive\n\n");
    events.add(chunk(id, model, new JsonObject().put("role", "assistant").put("content", ""), null));
    for (String word : List.of("Hello", " from", " the", " fake.")) {
      events.add(chunk(id, model, new JsonObject().put("content", word), null));
      if (failure != null && word.equals(" from")) {
        break;
      }
    }
    if (failure == Script.STREAM_ERROR) {
      events.add("data: " + new JsonObject().put("error", new JsonObject().put("message", "The server had an error")
          .put("type", "server_error").putNull("code")).encode() + "\n\n");
    } else if (failure == null) {
      events.add(chunk(id, model, new JsonObject(), "stop"));
      if (body.getJsonObject("stream_options", new JsonObject()).getBoolean("include_usage", false)) {
        events.add("data: " + new JsonObject().put("id", id).put("object", "chat.completion.chunk")
            .put("model", model).put("choices", new JsonArray())
            .put("usage", new JsonObject().put("prompt_tokens", 13).put("completion_tokens", 4).put("total_tokens", 17))
            .encode() + "\r\n\r\n");
      }
      events.add("data: [DONE]\n\n");
    }
    writeSlowly(req, events, 0);
  }

  private void writeSlowly(HttpServerRequest req, List<String> events, int i) {
    if (i == events.size()) {
      req.response().end();
      return;
    }
    String e = events.get(i);
    // Split each event across two writes so the client sees events cut at arbitrary points.
    int half = e.length() / 2;
    req.response().write(e.substring(0, half));
    req.response().write(e.substring(half));
    vertx.setTimer(5, t -> writeSlowly(req, events, i + 1));
  }

  private static String chunk(String id, String model, JsonObject delta, String finish) {
    JsonObject c = new JsonObject().put("id", id).put("object", "chat.completion.chunk")
        .put("created", System.currentTimeMillis() / 1000).put("model", model)
        .put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("delta", delta)
            .put("finish_reason", finish)))
        .put("obfuscation", "x1y2");
    return "data: " + c.encode() + "\n\n";
  }

  private void image(HttpServerRequest req, JsonObject body) {
    headers(req);
    String model = body.getString("model", "dall-e-2");
    int n = body.getInteger("n", 1);
    boolean url = !model.startsWith("gpt-image") && !"b64_json".equals(body.getString("response_format"));
    JsonArray data = new JsonArray();
    for (int i = 0; i < n; i++) {
      data.add(url ? new JsonObject().put("url", "http://127.0.0.1:" + server.actualPort() + "/files/img-" + i + ".png")
          .put("revised_prompt", "revised " + body.getString("prompt"))
          : new JsonObject().put("b64_json", Base64.getEncoder().encodeToString(PNG)));
    }
    JsonObject resp = new JsonObject().put("created", System.currentTimeMillis() / 1000).put("data", data);
    if (model.startsWith("gpt-image")) {
      resp.put("output_format", "png").put("size", body.getString("size", "1024x1024"))
          .put("usage", new JsonObject().put("input_tokens", 50).put("output_tokens", 4160).put("total_tokens", 4210));
    }
    req.response().end(Buffer.buffer(resp.encode()));
  }

  @Override
  public void close() {
    if (server != null) {
      ConnectorTestSupport.get(server.close());
    }
  }
}
