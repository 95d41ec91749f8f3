package io.emp.jobqueue.core.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The kept spans of this node, in memory, bounded: at most {@code maxTraces} traces (oldest first
 * out) of at most {@code maxSpansPerTrace} spans. Serves the trace API and the monitor's waterfall
 * so the embedded default shows traces without any tracing backend.
 */
public final class TraceStore {
  public static final int DEFAULT_MAX_TRACES = 2_000;
  public static final int DEFAULT_MAX_SPANS_PER_TRACE = 500;
  private static final AttributeKey<String> JOB_ID = AttributeKey.stringKey(Attr.JOB_ID);
  private static final AttributeKey<String> WORKFLOW_ID = AttributeKey.stringKey(Attr.WORKFLOW_ID);
  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

  private final int maxTraces;
  private final int maxSpansPerTrace;
  private final LinkedHashMap<String, Kept> traces = new LinkedHashMap<>();
  private final Map<String, Set<String>> byJob = new HashMap<>();
  private final Map<String, Set<String>> byWorkflow = new HashMap<>();

  public TraceStore(int maxTraces, int maxSpansPerTrace) {
    if (maxTraces < 1 || maxSpansPerTrace < 1) {
      throw new IllegalArgumentException("trace store bounds must be positive");
    }
    this.maxTraces = maxTraces;
    this.maxSpansPerTrace = maxSpansPerTrace;
  }

  /** A kept trace and the index keys that point at it, so eviction touches only those. */
  private static final class Kept {
    final List<SpanData> spans = new ArrayList<>();
    final Set<String> jobs = new LinkedHashSet<>(2);
    final Set<String> workflows = new LinkedHashSet<>(1);
  }

  public synchronized void add(SpanData span) {
    String traceId = span.getTraceId();
    Kept kept = traces.computeIfAbsent(traceId, k -> new Kept());
    if (kept.spans.size() >= maxSpansPerTrace) {
      return;
    }
    kept.spans.add(span);
    index(byJob, kept.jobs, span.getAttributes().get(JOB_ID), traceId);
    index(byWorkflow, kept.workflows, span.getAttributes().get(WORKFLOW_ID), traceId);
    while (traces.size() > maxTraces) {
      Map.Entry<String, Kept> eldest = traces.entrySet().iterator().next();
      traces.remove(eldest.getKey());
      unindex(byJob, eldest.getValue().jobs, eldest.getKey());
      unindex(byWorkflow, eldest.getValue().workflows, eldest.getKey());
    }
  }

  private static void index(Map<String, Set<String>> idx, Set<String> keys, String key, String traceId) {
    if (key != null && keys.add(key)) {
      idx.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(traceId);
    }
  }

  private static void unindex(Map<String, Set<String>> idx, Set<String> keys, String traceId) {
    for (String key : keys) {
      Set<String> ids = idx.get(key);
      if (ids != null && ids.remove(traceId) && ids.isEmpty()) {
        idx.remove(key);
      }
    }
  }

  public synchronized List<SpanData> spans(String traceId) {
    Kept kept = traces.get(traceId);
    return kept == null ? List.of() : List.copyOf(kept.spans);
  }

  public synchronized List<String> tracesForJob(String jobId) {
    return List.copyOf(byJob.getOrDefault(jobId, Set.of()));
  }

  public synchronized List<String> tracesForWorkflow(String workflowId) {
    return List.copyOf(byWorkflow.getOrDefault(workflowId, Set.of()));
  }

  public synchronized int size() {
    return traces.size();
  }

  /** The trace as a span tree: roots (spans whose parent is not here) with nested children, by start time. */
  public JsonObject treeJson(String traceId) {
    List<SpanData> spans = new ArrayList<>(spans(traceId));
    spans.sort(Comparator.comparingLong(SpanData::getStartEpochNanos));
    Map<String, JsonObject> nodes = new LinkedHashMap<>();
    for (SpanData s : spans) {
      nodes.put(s.getSpanId(), spanJson(s));
    }
    JsonArray roots = new JsonArray();
    for (SpanData s : spans) {
      JsonObject parent = nodes.get(s.getParentSpanId());
      if (parent != null) {
        parent.getJsonArray("children").add(nodes.get(s.getSpanId()));
      } else {
        roots.add(nodes.get(s.getSpanId()));
      }
    }
    return new JsonObject().put("trace_id", traceId).put("span_count", spans.size()).put("roots", roots);
  }

  static JsonObject spanJson(SpanData s) {
    JsonArray events = new JsonArray();
    for (EventData e : s.getEvents()) {
      events.add(new JsonObject().put("name", e.getName()).put("time_unix_nano", e.getEpochNanos())
          .put("attributes", attributes(e.getAttributes())));
    }
    JsonArray links = new JsonArray();
    for (LinkData l : s.getLinks()) {
      links.add(new JsonObject().put("trace_id", l.getSpanContext().getTraceId())
          .put("span_id", l.getSpanContext().getSpanId()));
    }
    return new JsonObject().put("trace_id", s.getTraceId()).put("span_id", s.getSpanId())
        .put("parent_span_id", s.getParentSpanContext().isValid() ? s.getParentSpanId() : null)
        .put("name", s.getName()).put("service", s.getResource().getAttribute(SERVICE_NAME))
        .put("kind", s.getKind().name()).put("start_unix_nano", s.getStartEpochNanos())
        .put("end_unix_nano", s.getEndEpochNanos())
        .put("duration_ms", (s.getEndEpochNanos() - s.getStartEpochNanos()) / 1e6)
        .put("status", s.getStatus().getStatusCode().name())
        .put("status_message", s.getStatus().getDescription())
        .put("attributes", attributes(s.getAttributes())).put("events", events).put("links", links)
        .put("children", new JsonArray());
  }

  private static JsonObject attributes(Attributes attrs) {
    JsonObject j = new JsonObject();
    attrs.forEach((k, v) -> j.put(k.getKey(), v instanceof List<?> l ? new JsonArray(new ArrayList<>(l)) : v));
    return j;
  }

  /** A sink for the tail sampler: kept spans land here. */
  public SpanProcessor asProcessor() {
    TraceStore store = this;
    return new SpanProcessor() {
      @Override
      public void onStart(io.opentelemetry.context.Context parentContext, ReadWriteSpan span) {
      }

      @Override
      public boolean isStartRequired() {
        return false;
      }

      @Override
      public void onEnd(ReadableSpan span) {
        store.add(span.toSpanData());
      }

      @Override
      public boolean isEndRequired() {
        return true;
      }

      @Override
      public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
      }
    };
  }
}
