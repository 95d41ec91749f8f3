package io.emp.jobqueue.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.emp.jobqueue.core.logging.TraceLogFormatter;
import io.emp.jobqueue.core.telemetry.TelemetryConfig;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** A log line written anywhere in a request's handling, even in a later callback, carries the request's trace. */
class RequestLogScopeTest {
  static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

  @Test
  void logLinesOfARequestCarryItsTraceInLaterCallbacksToo() {
    List<JsonObject> lines = new CopyOnWriteArrayList<>();
    Logger jul = Logger.getLogger("emp.request.scope.test");
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord r) {
        lines.add(new JsonObject(new TraceLogFormatter(true).format(r)));
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    };
    jul.addHandler(capture);
    System.Logger log = System.getLogger(jul.getName());
    Vertx vertx = Vertx.vertx();
    try {
      var tracer = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(
          InMemorySpanExporter.create())).build().get("t");
      Router r = Router.router(vertx);
      r.route("/api/*").handler(new RequestTracing(tracer, TelemetryConfig.DEFAULTS));
      r.get("/api/slow").handler(ctx -> vertx.setTimer(20, t -> {
        log.log(System.Logger.Level.INFO, "answering later");
        ctx.response().end("ok");
      }));
      var server = GatewayTestSupport.get(vertx.createHttpServer().requestHandler(r).listen(0, "127.0.0.1"));
      WebClient http = WebClient.create(vertx);
      var res = GatewayTestSupport.get(http.get(server.actualPort(), "127.0.0.1", "/api/slow")
          .putHeader("traceparent", "00-" + TRACE + "-00f067aa0ba902b7-01").send());
      assertThat(res.statusCode()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(10)).until(() -> !lines.isEmpty());
      JsonObject line = lines.get(0);
      assertThat(line.getString("message")).isEqualTo("answering later");
      assertThat(line.getString("trace_id")).as("the caller's trace").isEqualTo(TRACE);
      assertThat(line.getString("span_id")).hasSize(16).isNotEqualTo("00f067aa0ba902b7");

      // once the request is over, its context is gone from the event loop
      vertx.runOnContext(v -> log.log(System.Logger.Level.INFO, "unrelated"));
      await().atMost(Duration.ofSeconds(10)).until(() -> lines.size() == 2);
      assertThat(lines.get(1).containsKey("trace_id")).isFalse();
    } finally {
      jul.removeHandler(capture);
      GatewayTestSupport.get(vertx.close());
    }
  }
}
