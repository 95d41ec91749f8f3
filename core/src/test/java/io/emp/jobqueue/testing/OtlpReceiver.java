package io.emp.jobqueue.testing;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

/**
 * A minimal OTLP/HTTP trace receiver for tests: POST /v1/traces with protobuf bodies (gzip or not),
 * spans kept in memory. Shared by every test that checks what the exporters really send.
 */
public final class OtlpReceiver {
  /** One received span, ids in lowercase hex (parent "" for a root). */
  public record ReceivedSpan(String traceId, String spanId, String parentSpanId, String name, String service,
                             Span.SpanKind kind, Map<String, Object> attributes, boolean error) {
    public Object attr(String key) {
      return attributes.get(key);
    }
  }

  private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();
  private HttpServer server;

  /** Listens on a free loopback port; the future gives the port. */
  public Future<Integer> start(Vertx vertx) {
    server = vertx.createHttpServer().requestHandler(req -> {
      if (!"/v1/traces".equals(req.path())) {
        req.response().setStatusCode(404).end();
        return;
      }
      req.body().onSuccess(body -> {
        try {
          byte[] bytes = "gzip".equalsIgnoreCase(req.getHeader("Content-Encoding")) ? gunzip(body) : body.getBytes();
          accept(ExportTraceServiceRequest.parseFrom(bytes));
          req.response().putHeader("Content-Type", "application/x-protobuf")
              .end(Buffer.buffer(ExportTraceServiceResponse.getDefaultInstance().toByteArray()));
        } catch (IOException e) {
          req.response().setStatusCode(400).end();
        }
      });
    });
    return server.listen(0, "127.0.0.1").map(HttpServer::actualPort);
  }

  private static byte[] gunzip(Buffer b) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(b.getBytes()))) {
      return in.readAllBytes();
    }
  }

  private void accept(ExportTraceServiceRequest req) {
    HexFormat hex = HexFormat.of();
    for (ResourceSpans rs : req.getResourceSpansList()) {
      String service = rs.getResource().getAttributesList().stream().filter(kv -> kv.getKey().equals("service.name"))
          .map(kv -> kv.getValue().getStringValue()).findFirst().orElse("");
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (Span s : ss.getSpansList()) {
          Map<String, Object> attrs = new HashMap<>();
          for (KeyValue kv : s.getAttributesList()) {
            attrs.put(kv.getKey(), value(kv.getValue()));
          }
          spans.add(new ReceivedSpan(hex.formatHex(s.getTraceId().toByteArray()),
              hex.formatHex(s.getSpanId().toByteArray()), hex.formatHex(s.getParentSpanId().toByteArray()),
              s.getName(), service, s.getKind(), attrs,
              s.getStatus().getCode() == io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR));
        }
      }
    }
  }

  private static Object value(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case BOOL_VALUE -> v.getBoolValue();
      case INT_VALUE -> v.getIntValue();
      case DOUBLE_VALUE -> v.getDoubleValue();
      default -> v.toString();
    };
  }

  public List<ReceivedSpan> trace(String traceId) {
    return spans.stream().filter(s -> s.traceId().equals(traceId)).toList();
  }

  /** Spans received so far, all traces. */
  public int received() {
    return spans.size();
  }

  public Future<Void> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
