package io.emp.jobqueue.core.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.emp.jobqueue.core.telemetry.SamplingPolicy.Outcome;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.IdGenerator;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TailSamplerTest {
  static final SamplingPolicy POLICY = SamplingPolicy.DEFAULTS;

  static final class Node {
    final AtomicLong clock = new AtomicLong();
    final TailSampler sampler;
    final InMemorySpanExporter exported = InMemorySpanExporter.create();
    final Tracer tracer;

    Node(SamplingPolicy policy) {
      sampler = new TailSampler(policy, clock::get);
      tracer = SdkTracerProvider.builder()
          .addSpanProcessor(new TailSamplingProcessor(sampler, SimpleSpanProcessor.create(exported)))
          .build().get("test");
    }

    List<String> exportedTraceIds() {
      return exported.getFinishedSpanItems().stream().map(SpanData::getTraceId).distinct().toList();
    }
  }

  @Test
  void decisionFollowsTheSeedStrategy() {
    String anyId = IdGenerator.random().generateTraceId();
    assertThat(POLICY.keep(anyId, Outcome.of(true, 10))).as("errors").isTrue();
    assertThat(POLICY.keep(anyId, Outcome.of(false, 5_001))).as("slow").isTrue();
    SamplingPolicy vip = new SamplingPolicy(true, 5000, 1000, 0.5, 0.1, Map.of("acme", "vip"), Set.of("vip"),
        100, 1000, 100);
    assertThat(vip.keep(anyId, new Outcome(false, 10, "acme", null))).as("vip by config").isTrue();
    assertThat(vip.keep(anyId, new Outcome(false, 10, "other", "vip"))).as("vip by baggage").isTrue();

    int n = 20_000;
    int fastKept = 0;
    int mediumKept = 0;
    for (int i = 0; i < n; i++) {
      String id = IdGenerator.random().generateTraceId();
      fastKept += POLICY.keep(id, Outcome.of(false, 200)) ? 1 : 0;
      mediumKept += POLICY.keep(id, Outcome.of(false, 2_000)) ? 1 : 0;
    }
    // binomial: sd(0.1) = 0.0021, sd(0.5) = 0.0035 at n = 20,000; bounds are > 5 sd
    assertThat(fastKept / (double) n).isBetween(0.085, 0.115);
    assertThat(mediumKept / (double) n).isBetween(0.475, 0.525);
  }

  @Test
  void twoNodesDecideTheSameWithoutTalking() {
    for (int i = 0; i < 2_000; i++) {
      String id = IdGenerator.random().generateTraceId();
      Outcome o = Outcome.of(false, i % 3 == 0 ? 300 : 1_500);
      assertThat(new TailSampler(POLICY).decide(id, o)).isEqualTo(new TailSampler(POLICY).decide(id, o));
    }
  }

  @Test
  void jobTraceWaitsForItsOutcomeAndLateSpansFollowTheDecision() {
    Node node = new Node(POLICY);
    Span root = node.tracer.spanBuilder("http.request.received").startSpan();
    Context ctx = Context.root().with(root);
    node.tracer.spanBuilder(SpanName.REDIS_SUBMIT).setParent(ctx).startSpan().end();
    root.end();
    String traceId = root.getSpanContext().getTraceId();
    assertThat(node.exported.getFinishedSpanItems()).as("held until the outcome is known").isEmpty();
    assertThat(node.sampler.bufferedSpans()).isEqualTo(2);

    node.sampler.decide(traceId, Outcome.of(true, 100));
    assertThat(node.exported.getFinishedSpanItems()).hasSize(2);
    node.tracer.spanBuilder(SpanName.WS_BROADCAST).setParent(ctx).startSpan().end();
    assertThat(node.exported.getFinishedSpanItems()).as("late span follows 'keep'").hasSize(3);
    assertThat(node.sampler.bufferedSpans()).isZero();
  }

  @Test
  void droppedTracesLeaveNoSpans() {
    Node node = new Node(POLICY);
    int dropped = 0;
    for (int i = 0; i < 200; i++) {
      Span claim = node.tracer.spanBuilder(SpanName.REDIS_CLAIM).startSpan();
      claim.end();
      String id = claim.getSpanContext().getTraceId();
      if (!node.sampler.decide(id, Outcome.of(false, 50))) {
        dropped++;
        assertThat(node.exportedTraceIds()).doesNotContain(id);
      } else {
        assertThat(node.exportedTraceIds()).contains(id);
      }
    }
    assertThat(dropped).isGreaterThan(100);
    assertThat(node.sampler.counters().get("dropped_traces")).isEqualTo(dropped);
  }

  @Test
  void nonJobTraceIsDecidedWhenItsRootEnds() {
    Node node = new Node(POLICY);
    Span root = node.tracer.spanBuilder(SpanName.MACHINE_STARTUP).startSpan();
    Span phase = node.tracer.spanBuilder(SpanName.STARTUP_ENVIRONMENT).setParent(Context.root().with(root))
        .startSpan();
    phase.setStatus(StatusCode.ERROR);
    phase.end();
    assertThat(node.exported.getFinishedSpanItems()).isEmpty();
    root.end();
    assertThat(node.exported.getFinishedSpanItems()).as("error inside: kept").hasSize(2);
  }

  @Test
  void overflowEvictsTheOldestTraceAndTimeoutKeeps() {
    SamplingPolicy small = new SamplingPolicy(true, 5000, 1000, 0.5, 0.0, Map.of(), Set.of("vip"), 3, 60_000, 100);
    Node node = new Node(small);
    for (int i = 0; i < 4; i++) {
      node.tracer.spanBuilder(SpanName.REDIS_CLAIM).startSpan().end();
    }
    assertThat(node.sampler.bufferedSpans()).isEqualTo(3);
    assertThat(node.sampler.counters().get("overflow_traces")).isEqualTo(1);
    assertThat(node.exported.getFinishedSpanItems()).as("fast ratio 0: evicted and dropped").isEmpty();

    // an old trace evicted by overflow is kept: its job can only end slower than 5 s
    node.clock.addAndGet(6_000_000_000L);
    Span young = node.tracer.spanBuilder(SpanName.REDIS_CLAIM).startSpan();
    young.end();
    assertThat(node.sampler.counters().get("overflow_traces")).isEqualTo(2);
    assertThat(node.exported.getFinishedSpanItems()).as("evicted after 6 s: kept").hasSize(1);

    node.clock.addAndGet(61_000_000_000L);
    node.tracer.spanBuilder(SpanName.REDIS_CLAIM).startSpan().end();
    assertThat(node.sampler.counters().get("timed_out_traces")).isEqualTo(3);
    assertThat(node.exported.getFinishedSpanItems()).as("timed out traces are kept").hasSize(4);
  }

  @Test
  void sweepAppliesTheTimeoutWithoutNewSpans() {
    Node node = new Node(POLICY);
    node.tracer.spanBuilder(SpanName.REDIS_CLAIM).startSpan().end();
    node.sampler.sweep();
    assertThat(node.exported.getFinishedSpanItems()).isEmpty();
    node.clock.addAndGet(POLICY.decisionTimeoutMs() * 1_000_000L + 1);
    node.sampler.sweep();
    assertThat(node.exported.getFinishedSpanItems()).hasSize(1);
    assertThat(node.sampler.bufferedSpans()).isZero();
  }

  @Test
  void disabledPolicyForwardsEverythingAtOnce() {
    Node node = new Node(SamplingPolicy.KEEP_ALL);
    node.tracer.spanBuilder(SpanName.REDIS_CLAIM).startSpan().end();
    assertThat(node.exported.getFinishedSpanItems()).hasSize(1);
  }
}
