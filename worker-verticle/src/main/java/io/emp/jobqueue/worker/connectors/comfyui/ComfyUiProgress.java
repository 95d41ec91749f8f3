package io.emp.jobqueue.worker.connectors.comfyui;

import io.emp.jobqueue.worker.spi.ProgressSink;

/**
 * The job's progress during a run: fixed milestones around the sampler's own 0..100, never moving
 * backwards (the WebSocket and the HTTP answer race, so a late "submitted" must not undo "started").
 */
final class ComfyUiProgress {
  private static final int P_SUBMITTED = 5;
  private static final int P_STARTED = 10;
  private static final int P_SAMPLING_SPAN = 80;
  private static final int P_EXECUTED = 92;

  private final ProgressSink sink;
  private int lastSamplerPercent = -1;
  private int lastReported = -1;

  ComfyUiProgress(ProgressSink sink) {
    this.sink = sink;
  }

  void submitted() {
    report(P_SUBMITTED, "queued on ComfyUI");
  }

  void started() {
    report(P_STARTED, "executing");
  }

  void node(Object node) {
    report(Math.max(P_STARTED, samplerOverall()), "node " + node);
  }

  /** A sampler step {@code value} of {@code max}; answers the sampler's new percent, or -1 when unchanged. */
  int sampler(Object value, Object max) {
    if (!(value instanceof Number v) || !(max instanceof Number m) || m.doubleValue() <= 0) {
      return -1;
    }
    int pct = (int) Math.min(100, Math.round(v.doubleValue() * 100 / m.doubleValue()));
    if (pct == lastSamplerPercent) {
      return -1;
    }
    lastSamplerPercent = pct;
    report(samplerOverall(), "step " + v.intValue() + "/" + m.intValue());
    return pct;
  }

  void executed() {
    report(P_EXECUTED, "reading results");
  }

  private int samplerOverall() {
    return P_STARTED + Math.max(0, lastSamplerPercent) * P_SAMPLING_SPAN / 100;
  }

  private void report(int percent, String message) {
    if (percent >= lastReported) {
      lastReported = percent;
      sink.report(percent, message);
    }
  }
}
