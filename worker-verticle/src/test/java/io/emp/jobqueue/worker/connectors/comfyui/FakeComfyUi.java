package io.emp.jobqueue.worker.connectors.comfyui;

import io.emp.jobqueue.worker.connectors.ConnectorTestSupport;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A ComfyUI server on a real socket: validates API-format graphs, queues prompts and plays the real
 * WebSocket event sequence (status, execution_start, execution_cached, executing per node,
 * progress per sampler step, binary previews, executed, execution_success, then the history, status
 * and executing null), serves /history, /view, /queue, /interrupt and /system_stats. What the next
 * prompt does is scripted with {@link Behaviour}. All state is guarded by the instance lock.
 */
public final class FakeComfyUi implements AutoCloseable {
  /** A 1x1 PNG. */
  public static final byte[] PNG = Base64.getDecoder().decode(
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");
  public static final String KNOWN_CKPT = "v1-5-pruned-emaonly.safetensors";
  public static final long VRAM_TOTAL = 80L * 1024 * 1024 * 1024;
  public static final long VRAM_USED = 12L * 1024 * 1024 * 1024;

  /** What a prompt does when it runs. */
  public enum Behaviour {
    SUCCEED, FAIL, OOM, HANG,
    /** Closes the client's socket mid-sampling and keeps running; reconnects are accepted. */
    DROP_SOCKET,
    /** Closes the socket mid-sampling and refuses reconnects until the prompt has finished. */
    DROP_UNTIL_DONE,
    /** Closes the socket mid-sampling and forgets the prompt (a restarted server): no queue entry, no history. */
    VANISH
  }

  private final Vertx vertx;
  private HttpServer server;
  private final Map<String, ServerWebSocket> sockets = new HashMap<>();
  private final java.util.Set<String> refused = new java.util.HashSet<>();
  private final Deque<Behaviour> behaviours = new ArrayDeque<>();
  private final Deque<Prompt> pending = new ArrayDeque<>();
  private final Map<String, JsonObject> history = new HashMap<>();
  private final List<String> accepted = new CopyOnWriteArrayList<>();
  private final List<String> queueDeletes = new CopyOnWriteArrayList<>();
  private final List<String> interrupts = new CopyOnWriteArrayList<>();
  private final List<String> promptTraceparents = new CopyOnWriteArrayList<>();
  private final AtomicInteger wsConnects = new AtomicInteger();
  private final AtomicInteger historyRequests = new AtomicInteger();
  private final AtomicInteger queueReads = new AtomicInteger();
  private Prompt running;
  private int counter;
  private int fileCounter;
  private volatile long stepDelayMs = 10;
  private volatile long historyLagMs = 0;
  private volatile boolean legacyErrors;
  private volatile boolean noise = true;
  private volatile boolean assignIds;

  private final class Prompt {
    final String id;
    final String clientId;
    final JsonObject graph;
    final Behaviour behaviour;
    final int number;
    final List<Runnable> steps = new ArrayList<>();
    int cursor;
    boolean stopped;
    final JsonObject outputs = new JsonObject();
    final JsonArray messages = new JsonArray();

    Prompt(String id, String clientId, JsonObject graph, Behaviour behaviour, int number) {
      this.id = id;
      this.clientId = clientId;
      this.graph = graph;
      this.behaviour = behaviour;
      this.number = number;
    }

    JsonArray queueItem() {
      return new JsonArray().add(number).add(id).add(graph).add(new JsonObject().put("client_id", clientId))
          .add(new JsonArray());
    }
  }

  public FakeComfyUi(Vertx vertx) {
    this.vertx = vertx;
  }

  public FakeComfyUi start() {
    server = ConnectorTestSupport.get(vertx.createHttpServer().webSocketHandshakeHandler(h -> {
      boolean refuse;
      synchronized (this) {
        String q = h.query() == null ? "" : h.query();
        refuse = refused.contains(q.startsWith("clientId=") ? q.substring("clientId=".length()) : "");
      }
      if (refuse) {
        h.reject(503);
      } else {
        h.accept();
      }
    }).webSocketHandler(this::onSocket)
        .requestHandler(this::onRequest).listen(0, "127.0.0.1"));
    return this;
  }

  public int port() {
    return server.actualPort();
  }

  public synchronized FakeComfyUi behave(Behaviour... b) {
    behaviours.addAll(List.of(b));
    return this;
  }

  public FakeComfyUi stepDelayMs(long ms) {
    stepDelayMs = ms;
    return this;
  }

  /**
   * Stores the history this long after {@code executing null} instead of before it, so a client that
   * reads the history once finds it empty (the completion race); 0 keeps the real server's order.
   */
  public FakeComfyUi historyLagMs(long ms) {
    historyLagMs = ms;
    return this;
  }

  /** Old builds: {@code "error": "<string>"} and {@code "node_errors": []}. */
  public FakeComfyUi legacyErrors(boolean on) {
    legacyErrors = on;
    return this;
  }

  /** Builds before caller-chosen prompt ids: ignore the client's prompt_id and assign one. */
  public FakeComfyUi assignIds(boolean on) {
    assignIds = on;
    return this;
  }

  /** Broadcast events of other clients' prompts (on by default, to prove the connector filters). */
  public FakeComfyUi noise(boolean on) {
    noise = on;
    return this;
  }

  public List<String> accepted() {
    return accepted;
  }

  public List<String> queueDeletes() {
    return queueDeletes;
  }

  /** The traceparent header of each POST /prompt ("null" when absent). */
  public List<String> promptTraceparents() {
    return promptTraceparents;
  }

  public List<String> interrupts() {
    return interrupts;
  }

  public int wsConnects() {
    return wsConnects.get();
  }

  public int queueReads() {
    return queueReads.get();
  }

  public int historyRequests() {
    return historyRequests.get();
  }

  public synchronized boolean isRunning(String promptId) {
    return running != null && running.id.equals(promptId);
  }

  /** Someone else (the ComfyUI UI) interrupts whatever runs. */
  public synchronized void interruptRunning() {
    if (running != null) {
      interrupt(running);
    }
  }

  // ---- WebSocket ------------------------------------------------------------------------------

  private synchronized void onSocket(ServerWebSocket ws) {
    if (!"/ws".equals(ws.path()) && !"/api/ws".equals(ws.path())) {
      ws.close((short) 1008, "unknown path");
      return;
    }
    String query = ws.query() == null ? "" : ws.query();
    String clientId = query.startsWith("clientId=") ? query.substring("clientId=".length())
        : UUID.randomUUID().toString().replace("-", "");
    wsConnects.incrementAndGet();
    sockets.put(clientId, ws);
    ws.closeHandler(v -> {
      synchronized (this) {
        sockets.remove(clientId, ws);
      }
    });
    ws.writeTextMessage(event("status", new JsonObject().put("status", queueStatus()).put("sid", clientId)));
  }

  private synchronized void sendTo(String clientId, String type, JsonObject data) {
    ServerWebSocket ws = sockets.get(clientId);
    if (ws != null && !ws.isClosed()) {
      ws.writeTextMessage(event(type, data));
    }
  }

  private synchronized void broadcast(String type, JsonObject data) {
    sockets.values().stream().filter(ws -> !ws.isClosed()).forEach(ws -> ws.writeTextMessage(event(type, data)));
  }

  private static String event(String type, JsonObject data) {
    return new JsonObject().put("type", type).put("data", data).encode();
  }

  private JsonObject queueStatus() {
    return new JsonObject().put("exec_info", new JsonObject()
        .put("queue_remaining", pending.size() + (running == null ? 0 : 1)));
  }

  // ---- HTTP -----------------------------------------------------------------------------------

  private void onRequest(HttpServerRequest req) {
    req.body().onSuccess(body -> route(req, body));
  }

  private synchronized void route(HttpServerRequest req, Buffer body) {
    String path = req.path().startsWith("/api/") ? req.path().substring(4) : req.path();
    switch (req.method().name() + " " + (path.startsWith("/history/") ? "/history/" : path)) {
      case "POST /prompt" -> submit(req, body);
      case "GET /history/" -> {
        historyRequests.incrementAndGet();
        String id = path.substring("/history/".length());
        JsonObject entry = history.get(id);
        json(req, 200, entry == null ? new JsonObject() : new JsonObject().put(id, entry));
      }
      case "GET /queue" -> {
        queueReads.incrementAndGet();
        JsonArray run = new JsonArray();
        if (running != null) {
          run.add(running.queueItem());
        }
        JsonArray pend = new JsonArray();
        pending.forEach(p -> pend.add(p.queueItem()));
        json(req, 200, new JsonObject().put("queue_running", run).put("queue_pending", pend));
      }
      case "POST /queue" -> {
        JsonObject j = body.length() == 0 ? new JsonObject() : body.toJsonObject();
        for (Object id : j.getJsonArray("delete", new JsonArray())) {
          queueDeletes.add(String.valueOf(id));
          pending.removeIf(p -> p.id.equals(id));
        }
        req.response().end();
      }
      case "POST /interrupt" -> {
        JsonObject j = body.length() == 0 ? new JsonObject() : body.toJsonObject();
        String id = j.getString("prompt_id");
        interrupts.add(String.valueOf(id));
        if (running != null && (id == null || id.equals(running.id))) {
          interrupt(running);
        }
        req.response().end();
      }
      case "GET /view" -> view(req);
      case "GET /system_stats" -> json(req, 200, systemStats());
      default -> req.response().setStatusCode(404).end("404: Not Found");
    }
  }

  private void json(HttpServerRequest req, int status, JsonObject j) {
    req.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(j.encode());
  }

  private void view(HttpServerRequest req) {
    String filename = req.getParam("filename");
    if (filename == null || filename.startsWith("/") || filename.contains("..")) {
      req.response().setStatusCode(400).end();
      return;
    }
    boolean known = history.values().stream().anyMatch(h -> h.getJsonObject("outputs").encode()
        .contains("\"" + filename + "\""));
    if (!known) {
      req.response().setStatusCode(404).end();
      return;
    }
    req.response().putHeader("Content-Type", "image/png")
        .putHeader("Content-Disposition", "filename=\"" + filename + "\"").end(Buffer.buffer(PNG));
  }

  private static JsonObject systemStats() {
    long ramTotal = 128L * 1024 * 1024 * 1024;
    return new JsonObject().put("system", new JsonObject().put("os", "posix").put("ram_total", ramTotal)
            .put("ram_free", ramTotal - 20L * 1024 * 1024 * 1024).put("comfyui_version", "0.3.68")
            .put("python_version", "3.12.3").put("pytorch_version", "2.8.0+cu128").put("embedded_python", false)
            .put("argv", new JsonArray().add("main.py")))
        .put("devices", new JsonArray().add(new JsonObject().put("name", "cuda:0 NVIDIA H100 80GB HBM3 : cudaMallocAsync")
            .put("type", "cuda").put("index", 0).put("vram_total", VRAM_TOTAL).put("vram_free", VRAM_TOTAL - VRAM_USED)
            .put("torch_vram_total", VRAM_TOTAL).put("torch_vram_free", 1024L * 1024 * 1024)));
  }

  // ---- /prompt: validation and queueing -------------------------------------------------------

  private void submit(HttpServerRequest req, Buffer body) {
    promptTraceparents.add(String.valueOf(req.getHeader("traceparent")));
    JsonObject j;
    try {
      j = body.toJsonObject();
    } catch (RuntimeException e) {
      req.response().setStatusCode(500).end("500 Internal Server Error");
      return;
    }
    if (!(j.getValue("prompt") instanceof JsonObject graph)) {
      reject(req, "no_prompt", "No prompt provided", "", new JsonObject());
      return;
    }
    for (String id : graph.fieldNames()) {
      if (!(graph.getValue(id) instanceof JsonObject node) || node.getString("class_type") == null) {
        reject(req, "invalid_prompt", "Cannot execute because a node is missing the class_type property.",
            "Node ID '#" + id + "'", new JsonObject());
        return;
      }
    }
    JsonObject nodeErrors = new JsonObject();
    List<String> outputs = new ArrayList<>();
    for (String id : graph.fieldNames()) {
      JsonObject node = graph.getJsonObject(id);
      String cls = node.getString("class_type");
      if (cls.equals("SaveImage") || cls.equals("PreviewImage")) {
        outputs.add(id);
      }
      JsonObject in = node.getJsonObject("inputs", new JsonObject());
      for (String input : in.fieldNames()) {
        if (in.getValue(input) instanceof JsonArray link && link.size() == 2 && link.getValue(0) instanceof String src
            && !graph.containsKey(src)) {
          reject(req, "invalid_prompt", "Cannot execute because node " + src + " does not exist.",
              "Node ID '#" + src + "'", new JsonObject());
          return;
        }
      }
      if (cls.equals("CheckpointLoaderSimple") && !KNOWN_CKPT.equals(in.getString("ckpt_name"))) {
        nodeErrors.put(id, new JsonObject().put("errors", new JsonArray().add(new JsonObject()
                .put("type", "value_not_in_list").put("message", "Value not in list")
                .put("details", "ckpt_name: '" + in.getString("ckpt_name") + "' not in ['" + KNOWN_CKPT + "']")
                .put("extra_info", new JsonObject().put("input_name", "ckpt_name")
                    .put("received_value", in.getString("ckpt_name")))))
            .put("dependent_outputs", new JsonArray(outputs)).put("class_type", cls));
      }
    }
    if (outputs.isEmpty()) {
      reject(req, "prompt_no_outputs", "Prompt has no outputs", "", new JsonObject());
      return;
    }
    if (!nodeErrors.isEmpty()) {
      reject(req, "prompt_outputs_failed_validation", "Prompt outputs failed validation", "", nodeErrors);
      return;
    }
    String id = assignIds ? UUID.randomUUID().toString() : j.getString("prompt_id", UUID.randomUUID().toString());
    Behaviour b = behaviours.isEmpty() ? Behaviour.SUCCEED : behaviours.poll();
    Prompt p = new Prompt(id, j.getString("client_id"), graph, b, counter++);
    accepted.add(id);
    pending.add(p);
    json(req, 200, new JsonObject().put("prompt_id", id).put("number", p.number).put("node_errors", new JsonObject()));
    broadcast("status", new JsonObject().put("status", queueStatus()));
    if (running == null) {
      vertx.setTimer(stepDelayMs, t -> startNext());
    }
  }

  private void reject(HttpServerRequest req, String type, String message, String details, JsonObject nodeErrors) {
    if (legacyErrors) {
      json(req, 400, new JsonObject().put("error", message).put("node_errors", new JsonArray()));
      return;
    }
    json(req, 400, new JsonObject().put("error", new JsonObject().put("type", type).put("message", message)
        .put("details", details).put("extra_info", new JsonObject())).put("node_errors", nodeErrors));
  }

  // ---- execution ------------------------------------------------------------------------------

  private synchronized void startNext() {
    if (running != null || pending.isEmpty()) {
      return;
    }
    Prompt p = pending.poll();
    running = p;
    plan(p);
    step(p);
  }

  private synchronized void step(Prompt p) {
    if (p.stopped || p.cursor >= p.steps.size()) {
      return;
    }
    p.steps.get(p.cursor++).run();
    if (!p.stopped && p.cursor < p.steps.size()) {
      vertx.setTimer(stepDelayMs, t -> step(p));
    }
  }

  private JsonObject d(Prompt p) {
    return new JsonObject().put("prompt_id", p.id).put("timestamp", System.currentTimeMillis());
  }

  private void plan(Prompt p) {
    List<Runnable> s = p.steps;
    s.add(() -> broadcast("status", new JsonObject().put("status", queueStatus())));
    if (noise) {
      // Another client's prompt: its progress goes to everyone, and its failure must not fail ours.
      String other = UUID.randomUUID().toString();
      s.add(() -> broadcast("progress", new JsonObject().put("value", 1).put("max", 1).put("prompt_id", other)
          .put("node", "3")));
      s.add(() -> sendTo(p.clientId, "execution_error", new JsonObject().put("prompt_id", other)
          .put("node_id", "3").put("node_type", "KSampler").put("exception_type", "RuntimeError")
          .put("exception_message", "not yours").put("executed", new JsonArray())));
    }
    s.add(() -> {
      JsonObject data = d(p);
      p.messages.add(new JsonArray().add("execution_start").add(data));
      sendTo(p.clientId, "execution_start", data);
    });
    s.add(() -> sendTo(p.clientId, "execution_cached", d(p).put("nodes", new JsonArray())));
    List<String> ids = new ArrayList<>(p.graph.fieldNames());
    ids.sort(Comparator.comparingInt(Integer::parseInt));
    for (String id : ids) {
      JsonObject node = p.graph.getJsonObject(id);
      String cls = node.getString("class_type");
      s.add(() -> sendTo(p.clientId, "executing", d(p).put("node", id).put("display_node", id)));
      if (cls.startsWith("KSampler")) {
        int steps = node.getJsonObject("inputs").getInteger("steps", 20);
        for (int v = 1; v <= steps; v++) {
          int value = v;
          s.add(() -> {
            sendTo(p.clientId, "progress", d(p).put("value", value).put("max", steps).put("node", id));
            if (value == 1) {
              sendPreview(p);
            }
          });
          if (value == 1 && p.behaviour == Behaviour.HANG) {
            s.add(() -> p.stopped = true);
          }
          if (value == steps / 2 && (p.behaviour == Behaviour.FAIL || p.behaviour == Behaviour.OOM)) {
            s.add(() -> executionError(p, id, cls));
          }
          if (value == steps / 2 && (p.behaviour == Behaviour.DROP_SOCKET
              || p.behaviour == Behaviour.DROP_UNTIL_DONE || p.behaviour == Behaviour.VANISH)) {
            s.add(() -> {
              if (p.behaviour == Behaviour.DROP_UNTIL_DONE) {
                refused.add(p.clientId);
              }
              ServerWebSocket ws = sockets.get(p.clientId);
              if (ws != null) {
                ws.close();
              }
              if (p.behaviour == Behaviour.VANISH) {
                p.stopped = true;
                running = null;
                vertx.setTimer(stepDelayMs, t -> startNext());
              }
            });
          }
        }
      }
      if (cls.equals("SaveImage")) {
        s.add(() -> {
          String prefix = node.getJsonObject("inputs").getString("filename_prefix", "ComfyUI");
          JsonObject image = new JsonObject().put("filename", prefix + String.format("_%05d_.png", ++fileCounter))
              .put("subfolder", "").put("type", "output");
          JsonObject out = new JsonObject().put("images", new JsonArray().add(image));
          p.outputs.put(id, out);
          sendTo(p.clientId, "executed", d(p).put("node", id).put("display_node", id).put("output", out));
        });
      }
    }
    s.add(() -> {
      JsonObject data = d(p);
      p.messages.add(new JsonArray().add("execution_success").add(data));
      sendTo(p.clientId, "execution_success", data);
      p.stopped = true;
      // The real server writes the history only after execution_success went out.
      vertx.setTimer(stepDelayMs, t -> finish(p, "success"));
    });
  }

  private void sendPreview(Prompt p) {
    ServerWebSocket ws = sockets.get(p.clientId);
    if (ws != null && !ws.isClosed()) {
      ws.writeBinaryMessage(Buffer.buffer().appendInt(1).appendInt(2).appendBytes(PNG));
      ws.writeBinaryMessage(Buffer.buffer().appendInt(99).appendString("unknown frame type"));
    }
  }

  private void executionError(Prompt p, String nodeId, String cls) {
    boolean oom = p.behaviour == Behaviour.OOM;
    JsonObject data = d(p).put("node_id", nodeId).put("node_type", cls).put("executed", new JsonArray().add("1"))
        .put("exception_type", oom ? "torch.OutOfMemoryError" : "RuntimeError")
        .put("exception_message", oom ? "Allocation on device 0 would exceed allowed memory."
            : "mat1 and mat2 shapes cannot be multiplied (1x768 and 1024x320)")
        .put("traceback", new JsonArray().add("Traceback (most recent call last):"))
        .put("current_inputs", new JsonObject()).put("current_outputs", new JsonObject());
    p.messages.add(new JsonArray().add("execution_error").add(data));
    sendTo(p.clientId, "execution_error", data);
    p.stopped = true;
    finish(p, "error");
  }

  private synchronized void interrupt(Prompt p) {
    p.stopped = true;
    JsonObject data = d(p).put("node_id", "5").put("node_type", "KSampler").put("executed", new JsonArray());
    p.messages.add(new JsonArray().add("execution_interrupted").add(data));
    sendTo(p.clientId, "execution_interrupted", data);
    finish(p, "error");
  }

  private synchronized void finish(Prompt p, String statusStr) {
    if (history.containsKey(p.id) || running != p) {
      return;
    }
    running = null;
    refused.remove(p.clientId);
    if (historyLagMs > 0) {
      sendTo(p.clientId, "executing", d(p).putNull("node").putNull("display_node"));
      vertx.setTimer(historyLagMs, t -> {
        synchronized (this) {
          storeHistory(p, statusStr);
          broadcast("status", new JsonObject().put("status", queueStatus()));
          startNext();
        }
      });
      return;
    }
    storeHistory(p, statusStr);
    broadcast("status", new JsonObject().put("status", queueStatus()));
    sendTo(p.clientId, "executing", d(p).putNull("node").putNull("display_node"));
    vertx.setTimer(stepDelayMs, t -> startNext());
  }

  private void storeHistory(Prompt p, String statusStr) {
    history.put(p.id, new JsonObject().put("prompt", p.queueItem()).put("outputs", p.outputs)
        .put("status", new JsonObject().put("status_str", statusStr).put("completed", "success".equals(statusStr))
            .put("messages", p.messages))
        .put("meta", new JsonObject()));
  }

  @Override
  public void close() {
    if (server != null) {
      ConnectorTestSupport.get(server.close());
    }
  }

}
