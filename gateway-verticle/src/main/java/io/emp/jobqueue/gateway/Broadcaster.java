package io.emp.jobqueue.gateway;

import io.opentelemetry.api.trace.Span;
import io.emp.jobqueue.core.telemetry.Attr;
import io.emp.jobqueue.core.telemetry.EventName;
import io.emp.jobqueue.core.telemetry.SpanName;
import io.emp.jobqueue.core.model.JobEvent;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.core.telemetry.TailSampler;
import io.emp.jobqueue.core.telemetry.TraceContexts;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Fans one relayed job event out to the sockets subscribed to its job, to the monitor sockets
 * and to the monitor address of the event bus (SockJS bridge). When at least one socket got it,
 * a {@code websocket.event.broadcast} span is recorded as a child of the span that emitted the
 * event; events nobody receives cost no span.
 */
final class Broadcaster implements Consumer<JobEvent> {
  /** Event-bus address where every job event is published (outbound-permitted on the SockJS bridge). */
  static final String MONITOR_EVENTS = "emp.monitor.events";
  private static final io.vertx.core.eventbus.DeliveryOptions LOCAL =
      new io.vertx.core.eventbus.DeliveryOptions().setLocalOnly(true);

  private final SessionRegistry registry;
  private final ClientStreams streams;
  private final EventBus bus;
  private final Tracer tracer;
  private final TailSampler sampler;

  Broadcaster(SessionRegistry registry, ClientStreams streams, EventBus bus, Tracer tracer, TailSampler sampler) {
    this.registry = registry;
    this.streams = streams;
    this.bus = bus;
    this.tracer = tracer;
    this.sampler = sampler;
  }

  @Override
  public void accept(JobEvent e) {
    long startNanos = epochNanos();
    if (e.isTerminal()) {
      // the job is over: this node's tail sampler keeps or drops what it holds of the trace (the submit
      // path), before the broadcast span starts, which then follows the decision
      sampler.decide(e);
    }
    JsonObject json = e.toJson();
    // every gateway relays every event from Redis itself: a cluster-wide publish would reach each bridge N times
    bus.publish(MONITOR_EVENTS, json, LOCAL);
    var clients = registry.subscribers(e.jobId());
    var monitors = registry.monitors();
    if (clients.isEmpty() && monitors.isEmpty()) {
      return;
    }
    // Encoded to bytes once for every socket that gets the stored ids (monitors, admins).
    WsText text = WsText.of(json);
    // Client sockets see the job id as their customer named it (PublicIds); a job's subscribers are
    // its own customer's clients and admins, so at most one more encoding is needed.
    WsText clientText = null;
    String clientTextFor = null;
    long serializedNanos = epochNanos();
    int clientCount = 0;
    WsSession only = null;
    Subscription info = null;
    WsText sent = text;
    for (WsSession s : clients) {
      Subscription sub = s.subscription(e.jobId());
      WsText t = text;
      Principal who = s.principal();
      if (who != null && !who.admin()) {
        if (!who.customerId().equals(clientTextFor)) {
          clientText = WsText.of(PublicIds.eventJson(who, json.copy()));
          clientTextFor = who.customerId();
        }
        t = clientText;
      }
      if (sub != null && streams.deliverLive(s, sub, e, t)) {
        clientCount++;
        only = s;
        info = sub;
        sent = t;
      }
    }
    int monitorCount = 0;
    for (WsSession m : monitors) {
      if (m.send(text)) {
        monitorCount++;
        only = m;
      }
    }
    int delivered = clientCount + monitorCount;
    if (delivered == 0) {
      return;
    }
    long endNanos = epochNanos();
    record(e, clientCount > 0 ? sent : text, info, only, delivered, clientCount, startNanos, serializedNanos,
        endNanos);
  }

  private void record(JobEvent e, WsText text, Subscription info, WsSession only, int delivered, int clientCount,
                      long startNanos, long serializedNanos, long endNanos) {
    long nowMs = endNanos / 1_000_000;
    SpanBuilder b = tracer.spanBuilder(SpanName.WS_BROADCAST)
        // terminal events carry the job's baggage: the broadcast span then gets its correlation keys too
        .setParent(TraceContexts.extract(new TraceContext(e.traceparent(), null, e.field("baggage"))))
        .setSpanKind(SpanKind.PRODUCER)
        .setStartTimestamp(startNanos, TimeUnit.NANOSECONDS)
        .setAttribute(Attr.WS_EVENT_TYPE, e.type())
        .setAttribute(Attr.WS_CLIENT_COUNT, (long) delivered)
        .setAttribute(Attr.EVENT_JOB_ID, e.jobId())
        .setAttribute(Attr.EVENT_PAYLOAD_SIZE, (long) text.length())
        .setAttribute(Attr.EVENT_SEQUENCE_NUMBER, e.seq())
        .setAttribute(Attr.EVENT_BROADCAST_DURATION_MS, (endNanos - startNanos) / 1_000_000.0)
        .setAttribute(Attr.CUSTOMER_RESPONSE_DELIVERED, clientCount > 0);
    if (e.timestamp() > 0) {
      b.setAttribute(Attr.EVENT_PROCESSING_LATENCY_MS, nowMs - e.timestamp());
    }
    if (delivered == 1 && only != null) {
      b.setAttribute(Attr.WS_SESSION_ID, only.id());
    }
    if (info != null && info.correlationId != null) {
      b.setAttribute(Attr.EVENT_CORRELATION_ID, info.correlationId);
    }
    if (e.isTerminal()) {
      Long created = e.longField("created_at");
      if (created == null && info != null) {
        created = info.createdAt;
      }
      if (created != null && created > 0) {
        b.setAttribute(Attr.EVENT_QUEUE_TO_RESPONSE_MS, nowMs - created);
      }
      b.setAttribute(Attr.JOB_FINAL_STATUS, e.status());
      Long started = e.longField("started_at");
      if (started != null && started > 0 && e.timestamp() >= started) {
        b.setAttribute(Attr.JOB_TOTAL_PROCESSING_TIME_MS, e.timestamp() - started);
      }
      Long attempt = e.longField("attempt");
      if (attempt != null) {
        b.setAttribute(Attr.JOB_RETRY_COUNT, Math.max(0, attempt - 1));
      }
    }
    Span span = b.startSpan();
    span.addEvent(EventName.WS_MESSAGE_SERIALIZED, serializedNanos, TimeUnit.NANOSECONDS);
    span.addEvent(EventName.WS_MESSAGE_SENT, Attributes.builder().put(Attr.WS_MESSAGES_SENT, (long) delivered)
        .build(), endNanos, TimeUnit.NANOSECONDS);
    span.addEvent(EventName.WS_CLIENT_NOTIFIED, Attributes.builder().put(Attr.WS_CLIENTS_NOTIFIED,
        (long) clientCount).build(), endNanos, TimeUnit.NANOSECONDS);
    span.end(endNanos, TimeUnit.NANOSECONDS);
  }


  private static long epochNanos() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }
}
