package io.emp.jobqueue.queue.bus;

import io.emp.jobqueue.core.telemetry.Attr;
import io.emp.jobqueue.core.telemetry.ServiceName;
import io.emp.jobqueue.core.telemetry.SpanName;
import static org.assertj.core.api.Assertions.assertThat;

import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.core.telemetry.Telemetry;
import io.emp.jobqueue.core.telemetry.TelemetryConfig;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vertx.core.MultiMap;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BusTracingTest {
  static final String CALLER = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  final InMemorySpanExporter spans = InMemorySpanExporter.create();
  final Telemetry telemetry = Telemetry.create(TelemetryConfig.DEFAULTS, List.of(SimpleSpanProcessor.create(spans)));

  @AfterEach
  void close() {
    telemetry.close();
  }

  @Test
  void onAClusteredBusEachHopIsASendAndAProcessSpanInTheCallersTrace() {
    BusTracing sender = new BusTracing(telemetry.tracer(ServiceName.API), true, "node-a");
    BusTracing receiver = new BusTracing(telemetry.tracer(ServiceName.API), true, "node-b");

    BusTracing.Outgoing out = sender.send("emp.queue.get", new TraceContext(CALLER, null, "k=v"), 2);
    DeliveryOptions opts = out.headers(new DeliveryOptions());
    MultiMap headers = opts.getHeaders();
    BusTracing.Incoming in = receiver.process("emp.queue.get", headers);
    in.end(null);
    out.end(new IllegalStateException("late"));

    SpanData send = one(SpanName.busSend("emp.queue.get"));
    SpanData process = one(SpanName.busProcess("emp.queue.get"));
    assertThat(send.getKind()).isEqualTo(SpanKind.CLIENT);
    assertThat(send.getTraceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
    assertThat(send.getParentSpanId()).isEqualTo("b7ad6b7169203331");
    assertThat(send.getAttributes().get(AttributeKey.stringKey(Attr.CLUSTER_NODE_ID))).isEqualTo("node-a");
    assertThat(send.getAttributes().get(AttributeKey.longKey(Attr.MESSAGING_ATTEMPT))).isEqualTo(2L);
    assertThat(send.getStatus().getStatusCode()).isEqualTo(io.opentelemetry.api.trace.StatusCode.ERROR);
    assertThat(process.getKind()).isEqualTo(SpanKind.SERVER);
    assertThat(process.getParentSpanId()).isEqualTo(send.getSpanId());
    assertThat(process.getTraceId()).isEqualTo(send.getTraceId());
    assertThat(process.getAttributes().get(AttributeKey.stringKey(Attr.CLUSTER_NODE_ID))).isEqualTo("node-b");
    // work done on the receiving node continues under the process span, with the caller's baggage
    assertThat(in.context().spanId()).isEqualTo(process.getSpanId());
    assertThat(in.context().baggage()).contains("k=v");
  }

  @Test
  void onASingleNodeTheHeadersCarryTheCallersContextAndNoSpanIsRecorded() {
    BusTracing local = new BusTracing(telemetry.tracer(ServiceName.API), false, "node-a");
    BusTracing.Outgoing out = local.send("emp.queue.get", TraceContext.of(CALLER), 1);
    MultiMap headers = out.headers(new DeliveryOptions()).getHeaders();
    assertThat(headers.get("traceparent")).isEqualTo(CALLER);
    BusTracing.Incoming in = local.process("emp.queue.get", headers);
    assertThat(in.context().traceparent()).isEqualTo(CALLER);
    in.end(null);
    out.end(null);
    assertThat(spans.getFinishedSpanItems()).isEmpty();
  }

  private SpanData one(String name) {
    List<SpanData> found = spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).toList();
    assertThat(found).hasSize(1);
    return found.get(0);
  }
}
