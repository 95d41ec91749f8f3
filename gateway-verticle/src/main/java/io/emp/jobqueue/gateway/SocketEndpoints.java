package io.emp.jobqueue.gateway;

import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.core.model.JobQueueException.Code;
import io.emp.jobqueue.core.model.Problem;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.core.model.ValidationException;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.opentelemetry.api.trace.Span;
import java.util.List;

/**
 * The {@code /ws} (client) and {@code /ws/monitor} (admin) endpoints: authentication at upgrade
 * or by a first {@code auth} message, the message protocol (docs/api.md), and heartbeats.
 */
final class SocketEndpoints {
  private static final Buffer PING = Buffer.buffer("hb");

  private final Vertx vertx;
  private final GatewayConfig cfg;
  private final Authenticator auth;
  private final SessionRegistry registry;
  private final ClientStreams streams;
  private final JobAccess access;
  private long heartbeatTimer = -1;

  SocketEndpoints(Vertx vertx, GatewayConfig cfg, Authenticator auth, SessionRegistry registry,
                  ClientStreams streams, JobAccess access) {
    this.vertx = vertx;
    this.cfg = cfg;
    this.auth = auth;
    this.registry = registry;
    this.streams = streams;
    this.access = access;
  }

  void acceptClient(RoutingContext ctx) {
    accept(ctx, false);
  }

  void acceptMonitor(RoutingContext ctx) {
    accept(ctx, true);
  }

  /** A presented but wrong key is refused before the upgrade; no key at all leaves first-message auth open. */
  private void accept(RoutingContext ctx, boolean monitor) {
    HttpServerRequest req = ctx.request();
    String token = tokenOf(req);
    Principal principal = null;
    if (token != null || auth.disabled()) {
      principal = auth.authenticate(token).orElse(null);
      if (principal == null) {
        HttpApi.json(ctx, 401, ApiErrors.body(new JobQueueException(Code.UNAUTHORIZED, "the API key is not valid")));
        return;
      }
      if (monitor && !principal.admin()) {
        HttpApi.json(ctx, 403, ApiErrors.body(new JobQueueException(Code.FORBIDDEN, "the monitor needs an admin key")));
        return;
      }
    }
    Principal known = principal;
    Channel channel = FlushBatching.channelOf(req.connection());
    req.toWebSocket().onSuccess(ws -> open(ws, monitor, known,
            FlushBatching.install(channel, cfg.wsMaxQueuedMessages())))
        .onFailure(err -> HttpApi.json(ctx, 400, ApiErrors.body(new JobQueueException(Code.VALIDATION,
            "a WebSocket upgrade is required"))));
  }

  /**
   * A frame over the frame limit (Netty's decoder, status 1009) or a fragmented message growing past
   * the message limit (Vert.x's aggregator, which reports it only as an IllegalStateException).
   */
  static boolean tooBig(Throwable err) {
    if (err instanceof CorruptedWebSocketFrameException c) {
      return c.closeStatus() != null && c.closeStatus().code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code();
    }
    return err instanceof IllegalStateException && String.valueOf(err.getMessage()).contains("max message size");
  }

  static String tokenOf(HttpServerRequest req) {
    String t = Authenticator.token(req);
    return t != null ? t : req.getParam("token");
  }

  private void open(ServerWebSocket ws, boolean monitor, Principal principal, boolean flushBatched) {
    WsSession[] holder = new WsSession[1];
    WsSession s = new WsSession(ws, monitor, cfg.wsMaxQueuedMessages(), cfg.wsMaxMessageBytes(), flushBatched,
        principal, System.currentTimeMillis(), () -> registry.remove(holder[0]));
    holder[0] = s;
    registry.add(s);
    ws.closeHandler(v -> s.markClosed());
    ws.exceptionHandler(err -> {
      if (tooBig(err)) {
        // Over the message limit: say so (1009) rather than letting the connection just drop.
        s.close(WsSession.CLOSE_TOO_BIG, "message larger than " + cfg.wsMaxMessageBytes() + " bytes");
      } else {
        s.markClosed();
      }
    });
    ws.pongHandler(b -> s.pong(System.currentTimeMillis()));
    ws.textMessageHandler(text -> onMessage(s, text));
    s.send(new JsonObject().put("type", "connection_established").put("session_id", s.id())
        .put("authenticated", principal != null).put("timestamp", System.currentTimeMillis()));
    if (principal != null) {
      authenticated(s);
    } else {
      vertx.setTimer(cfg.authTimeoutMs(), t -> {
        if (s.principal() == null) {
          s.close(WsSession.CLOSE_POLICY, "authentication timeout");
        }
      });
    }
  }

  private void authenticated(WsSession s) {
    if (s.monitor()) {
      registry.addMonitor(s);
      snapshot(s);
    }
  }

  private void onMessage(WsSession s, String text) {
    JsonObject msg;
    try {
      msg = new JsonObject(text);
    } catch (RuntimeException e) {
      error(s, null, ApiErrors.classify(e));
      return;
    }
    String type = msg.getValue("type") instanceof String t ? t : "";
    if (s.principal() == null) {
      onUnauthenticated(s, type, msg);
      return;
    }
    String jobId = msg.getValue("job_id") instanceof String j && !j.isEmpty() ? j : null;
    if (jobId == null && ("subscribe".equals(type) || "unsubscribe".equals(type))) {
      error(s, null, new ValidationException(List.of(new Problem("job_id", "required", "is required"))));
      return;
    }
    // What the client named, as stored; null when it cannot name one of the caller's jobs (then not_found).
    String stored = jobId == null ? null : PublicIds.job(s.principal(), jobId);
    switch (type) {
      case "auth" -> error(s, null, new JobQueueException(Code.CONFLICT, "already authenticated"));
      case "ping" -> s.send(new JsonObject().put("type", "pong").put("timestamp", System.currentTimeMillis()));
      case "subscribe" -> {
        if (s.monitor()) {
          error(s, jobId, new JobQueueException(Code.VALIDATION, "monitors receive every event; no subscribe"));
          return;
        }
        Long lastSeq;
        try {
          lastSeq = msg.getLong("last_seq");
        } catch (ClassCastException e) {
          error(s, jobId, new JobQueueException(Code.VALIDATION, "last_seq must be an integer"));
          return;
        }
        if (lastSeq != null && lastSeq < 0) {
          error(s, jobId, new JobQueueException(Code.VALIDATION, "last_seq must be >= 0"));
          return;
        }
        if (stored == null) {
          error(s, jobId, JobQueueException.notFound("job " + jobId));
          return;
        }
        streams.subscribe(s, stored, lastSeq).onFailure(err -> error(s, jobId, err));
      }
      case "unsubscribe" -> {
        if (stored != null) {
          streams.unsubscribe(s, stored);
        }
        s.send(new JsonObject().put("type", "unsubscribed").put("job_id", jobId));
      }
      case "submit_job" -> submit(s, msg);
      case "request_full_state" -> {
        if (s.monitor()) {
          snapshot(s);
        } else {
          error(s, null, new JobQueueException(Code.FORBIDDEN, "only monitor sockets get the full state"));
        }
      }
      default -> error(s, jobId, new JobQueueException(Code.VALIDATION, "unknown message type '" + type + "'"));
    }
  }

  private void onUnauthenticated(WsSession s, String type, JsonObject msg) {
    if (!"auth".equals(type)) {
      s.send(errorMessage(null, new JobQueueException(Code.UNAUTHORIZED, "authenticate first: {type:'auth', token}")));
      s.close(WsSession.CLOSE_POLICY, "authentication required");
      return;
    }
    String token = msg.getValue("token") instanceof String t ? t : null;
    Principal p = auth.authenticate(token).orElse(null);
    if (p == null || (s.monitor() && !p.admin())) {
      s.send(errorMessage(null, new JobQueueException(p == null ? Code.UNAUTHORIZED : Code.FORBIDDEN,
          p == null ? "the API key is not valid" : "the monitor needs an admin key")));
      s.close(WsSession.CLOSE_POLICY, p == null ? "invalid api key" : "admin key required");
      return;
    }
    s.authenticated(p);
    s.send(new JsonObject().put("type", "authenticated").put("session_id", s.id()));
    authenticated(s);
  }

  private void submit(WsSession s, JsonObject msg) {
    JsonObject body = msg.copy();
    body.remove("type");
    Object messageId = body.remove("message_id");
    if (messageId instanceof String mid && !body.containsKey("id")) {
      body.put("id", mid);
    }
    body.put("client_session_id", s.id());
    TraceContext parent = TraceContext.from(k -> body.getValue(k) instanceof String v ? v : null);
    access.submit(s.principal(), body, null, null, Span.getInvalid(), parent)
        .onSuccess(sub -> {
          JsonObject accepted = sub.toJson(s.principal());
          s.send(accepted.put("type", "job_accepted").put("message_id", messageId)
              .put("created", sub.result().created()));
          // Replay from the start, so job_submitted and anything since reach the client in order.
          streams.subscribe(s, sub.result().jobId(), 0L)
              .onFailure(err -> error(s, accepted.getString("job_id"), err));
        })
        .onFailure(err -> error(s, null, err));
  }

  private void snapshot(WsSession s) {
    access.queue().stats(TraceContext.EMPTY)
        .onSuccess(stats -> s.send(new JsonObject().put("type", "full_state_snapshot").put("data", stats)
            .put("timestamp", System.currentTimeMillis())))
        .onFailure(err -> error(s, null, err));
  }

  private void error(WsSession s, String jobId, Throwable err) {
    s.send(errorMessage(jobId, ApiErrors.classify(PublicIds.failure(s.principal(), err))));
  }

  private static JsonObject errorMessage(String jobId, JobQueueException e) {
    JsonObject m = ApiErrors.body(e).put("type", "error");
    if (jobId != null) {
      m.put("job_id", jobId);
    }
    return m;
  }

  /** Pings every socket; closes those whose last pong is older than the timeout. */
  void startHeartbeats() {
    heartbeatTimer = vertx.setPeriodic(cfg.heartbeatIntervalMs(), t -> {
      long now = System.currentTimeMillis();
      for (WsSession s : registry.all()) {
        if (now - s.lastPongAt() > cfg.heartbeatTimeoutMs()) {
          s.close(WsSession.CLOSE_GOING_AWAY, "heartbeat timeout");
        } else if (s.isOpen()) {
          s.socket().writePing(PING);
        }
      }
    });
  }

  void stop() {
    if (heartbeatTimer >= 0) {
      vertx.cancelTimer(heartbeatTimer);
    }
    for (WsSession s : registry.all()) {
      s.close(WsSession.CLOSE_GOING_AWAY, "gateway shutting down");
    }
  }
}
