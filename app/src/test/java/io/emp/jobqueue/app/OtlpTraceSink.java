package io.emp.jobqueue.app;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;

/**
 * An OTLP/HTTP trace endpoint (POST /v1/traces, protobuf, optionally gzipped) that any number of
 * processes export to; received spans are indexed by trace id.
 */
final class OtlpTraceSink {
  /** One received span: its name and the service.name of the resource that sent it. */
  record Received(String spanId, String name, String service) {
  }

  private final Map<String, List<Received>> byTrace = new ConcurrentHashMap<>();
  private final AtomicLong total = new AtomicLong();
  private HttpServer server;

  Future<Integer> start(Vertx vertx) {
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
          byTrace.computeIfAbsent(hex.formatHex(s.getTraceId().toByteArray()), k -> new CopyOnWriteArrayList<>())
              .add(new Received(hex.formatHex(s.getSpanId().toByteArray()), s.getName(), service));
          total.incrementAndGet();
        }
      }
    }
  }

  List<Received> trace(String traceId) {
    return byTrace.getOrDefault(traceId, List.of());
  }

  long totalSpans() {
    return total.get();
  }

  Future<Void> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
