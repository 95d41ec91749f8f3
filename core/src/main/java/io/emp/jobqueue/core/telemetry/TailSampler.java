package io.emp.jobqueue.core.telemetry;

import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.core.model.JobEvent;
import io.emp.jobqueue.core.telemetry.SamplingPolicy.Outcome;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * In-process tail sampling. Ended spans wait here, per trace, until the trace's outcome is known,
 * then go on to their sinks (exporters, the trace store) or are dropped, by
 * {@link SamplingPolicy#keep}.
 *
 * <p>When is the outcome known?
 * <ul>
 *   <li>Job traces (holding a {@code redis.job.submit}, {@code redis.job.claim} or
 *       {@code websocket.event.broadcast} span) wait for
 *       {@link #decide}: the worker calls it when it finishes an attempt, the gateway when it relays
 *       the job's terminal event. Both compute the outcome from the job (Redis clock: creation to
 *       finish; failed or retried = error), so both decide the same.</li>
 *   <li>Any other trace is decided when its local root span ends (e.g. machine startup, a GET).</li>
 * </ul>
 * Rules for what never gets an outcome (written in docs/telemetry.md):
 * <ul>
 *   <li>Timeout: a trace buffered longer than the decision timeout is kept. Its job has then run
 *       longer than the timeout, i.e. more than 5 s, so every node keeps it too.</li>
 *   <li>Overflow: past the span bound, the oldest trace is evicted. If it has waited longer than
 *       the slow threshold it is kept (its job can only end slower, so every node keeps it);
 *       otherwise it gets the < 1 s rule (10% by trace id), or is kept if it holds an error span.
 *       Counted as overflow. A queue backlog thus stays consistent across nodes.</li>
 *   <li>Late spans, ended after their trace was decided, follow the cached decision.</li>
 * </ul>
 */
public final class TailSampler {
  private final SamplingPolicy policy;
  private final LongSupplier nanoClock;
  private final Map<String, Pending> buffer = new LinkedHashMap<>();
  private final Map<String, Boolean> decisions;
  private int bufferedSpans;

  private final AtomicLong keptSpans = new AtomicLong();
  private final AtomicLong droppedSpans = new AtomicLong();
  private final AtomicLong keptTraces = new AtomicLong();
  private final AtomicLong droppedTraces = new AtomicLong();
  private final AtomicLong overflowTraces = new AtomicLong();
  private final AtomicLong timedOutTraces = new AtomicLong();
  private final AtomicLong lateSpans = new AtomicLong();

  private record Buffered(ReadableSpan span, SpanProcessor sink) {
  }

  private static final class Pending {
    final long firstNanos;
    final List<Buffered> spans = new ArrayList<>(8);
    boolean jobTrace;
    boolean error;

    Pending(long firstNanos) {
      this.firstNanos = firstNanos;
    }
  }

  public TailSampler(SamplingPolicy policy) {
    this(policy, System::nanoTime);
  }

  TailSampler(SamplingPolicy policy, LongSupplier nanoClock) {
    this.policy = policy;
    this.nanoClock = nanoClock;
    int cache = policy.decisionCacheSize();
    this.decisions = new LinkedHashMap<>(1024, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
        return size() > cache;
      }
    };
  }

  public SamplingPolicy policy() {
    return policy;
  }

  /** Called by {@link TailSamplingProcessor} for every ended span. */
  void onEnd(ReadableSpan span, SpanProcessor sink) {
    if (!policy.enabled()) {
      forward(List.of(new Buffered(span, sink)), true);
      return;
    }
    String traceId = span.getSpanContext().getTraceId();
    List<List<Buffered>> toKeep = new ArrayList<>();
    List<List<Buffered>> toDrop = new ArrayList<>();
    Boolean late;
    synchronized (this) {
      late = decisions.get(traceId);
      if (late == null) {
        Pending p = buffer.computeIfAbsent(traceId, k -> new Pending(nanoClock.getAsLong()));
        p.spans.add(new Buffered(span, sink));
        bufferedSpans++;
        String name = span.getName();
        // A broadcast belongs to a job trace too: a gateway that did not take the submit (or whose
        // broadcast outran the submit span) must still wait for the job's outcome.
        if (SpanName.REDIS_SUBMIT.equals(name) || SpanName.REDIS_CLAIM.equals(name)
            || SpanName.WS_BROADCAST.equals(name)) {
          p.jobTrace = true;
        }
        if (span.toSpanData().getStatus().getStatusCode() == StatusCode.ERROR) {
          p.error = true;
        }
        boolean localRoot = !span.getParentSpanContext().isValid() || span.getParentSpanContext().isRemote();
        if (localRoot && !p.jobTrace) {
          long durMs = TimeUnit.NANOSECONDS.toMillis(span.getLatencyNanos());
          settle(traceId, p, policy.keep(traceId, Outcome.of(p.error, durMs)) || p.error, toKeep, toDrop);
        }
        expire(toKeep, toDrop);
      }
    }
    if (late != null) {
      lateSpans.incrementAndGet();
      forward(List.of(new Buffered(span, sink)), late);
    }
    toKeep.forEach(l -> forward(l, true));
    toDrop.forEach(l -> forward(l, false));
  }

  /**
   * A job's terminal event (completed, failed, cancelled) decides its trace: every node that sees
   * the event decides from the same inputs as the worker did, so they all agree.
   */
  public void decide(JobEvent terminal) {
    TraceContext tc = TraceContext.of(terminal.traceparent());
    Long created = terminal.longField("created_at");
    Long attempt = terminal.longField("attempt");
    if (tc.traceId() == null || created == null) {
      return;
    }
    decide(tc.traceId(), SamplingPolicy.jobOutcome(!JobEvent.COMPLETED.equals(terminal.type()),
        attempt == null ? 1 : attempt.intValue(), created, terminal.timestamp(), terminal.field("customer_id"),
        terminal.field("baggage")));
  }

  /**
   * The trace's outcome is known: keep or drop what is buffered, and remember the decision for
   * spans that end later. Returns the decision.
   */
  public boolean decide(String traceId, Outcome outcome) {
    if (traceId == null) {
      return true;
    }
    if (!policy.enabled()) {
      return true;
    }
    List<List<Buffered>> toKeep = new ArrayList<>();
    List<List<Buffered>> toDrop = new ArrayList<>();
    boolean keep;
    synchronized (this) {
      Boolean known = decisions.get(traceId);
      Pending p = buffer.get(traceId);
      keep = known != null ? known : policy.keep(traceId, outcome) || (p != null && p.error);
      if (p != null) {
        buffer.remove(traceId);
        bufferedSpans -= p.spans.size();
        (keep ? toKeep : toDrop).add(p.spans);
      }
      record(traceId, keep);
    }
    toKeep.forEach(l -> forward(l, true));
    toDrop.forEach(l -> forward(l, false));
    return keep;
  }

  /**
   * Applies the timeout and overflow rules now. Telemetry calls this every few seconds, so a quiet
   * node does not hold spans past the timeout just because no new span arrives.
   */
  public void sweep() {
    if (!policy.enabled()) {
      return;
    }
    List<List<Buffered>> toKeep = new ArrayList<>();
    List<List<Buffered>> toDrop = new ArrayList<>();
    synchronized (this) {
      expire(toKeep, toDrop);
    }
    toKeep.forEach(l -> forward(l, true));
    toDrop.forEach(l -> forward(l, false));
  }

  private void settle(String traceId, Pending p, boolean keep, List<List<Buffered>> toKeep,
                      List<List<Buffered>> toDrop) {
    buffer.remove(traceId);
    bufferedSpans -= p.spans.size();
    record(traceId, keep);
    (keep ? toKeep : toDrop).add(p.spans);
  }

  private void record(String traceId, boolean keep) {
    decisions.put(traceId, keep);
    (keep ? keptTraces : droppedTraces).incrementAndGet();
  }

  /** Timeout and overflow rules; called under the lock. */
  private void expire(List<List<Buffered>> toKeep, List<List<Buffered>> toDrop) {
    long now = nanoClock.getAsLong();
    long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(policy.decisionTimeoutMs());
    Iterator<Map.Entry<String, Pending>> it = buffer.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, Pending> e = it.next();
      Pending p = e.getValue();
      boolean timedOut = now - p.firstNanos > timeoutNanos;
      boolean overflow = bufferedSpans > policy.maxBufferedSpans();
      if (!timedOut && !overflow) {
        break;
      }
      it.remove();
      bufferedSpans -= p.spans.size();
      boolean keep;
      if (timedOut) {
        timedOutTraces.incrementAndGet();
        keep = true;
      } else {
        overflowTraces.incrementAndGet();
        long ageMs = TimeUnit.NANOSECONDS.toMillis(now - p.firstNanos);
        keep = p.error || ageMs > policy.slowMs() || policy.keep(e.getKey(), Outcome.of(false, 0));
      }
      record(e.getKey(), keep);
      (keep ? toKeep : toDrop).add(p.spans);
    }
  }

  private void forward(List<Buffered> spans, boolean keep) {
    if (!keep) {
      droppedSpans.addAndGet(spans.size());
      return;
    }
    keptSpans.addAndGet(spans.size());
    for (Buffered b : spans) {
      b.sink().onEnd(b.span());
    }
  }

  public synchronized int bufferedSpans() {
    return bufferedSpans;
  }

  public synchronized int bufferedTraces() {
    return buffer.size();
  }

  /** kept/dropped spans and traces, overflow and timeout evictions, late spans. */
  public Map<String, Long> counters() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("kept_spans", keptSpans.get());
    m.put("dropped_spans", droppedSpans.get());
    m.put("kept_traces", keptTraces.get());
    m.put("dropped_traces", droppedTraces.get());
    m.put("overflow_traces", overflowTraces.get());
    m.put("timed_out_traces", timedOutTraces.get());
    m.put("late_spans", lateSpans.get());
    return m;
  }
}
