package io.emp.jobqueue.machine;

import io.emp.jobqueue.core.telemetry.MachineAttr;
import io.opentelemetry.api.trace.Span;

/** What the start-up phase classes share. */
final class Phases {
  private Phases() {
  }

  /** Marks a phase that had nothing to do, and why (seed §6: skipped phases still get their span). */
  static void skipped(Span span, String reason) {
    span.setAttribute(MachineAttr.PHASE_SKIPPED, true);
    span.setAttribute(MachineAttr.PHASE_SKIP_REASON, reason);
  }

  static long ms(long t0Nanos) {
    return (System.nanoTime() - t0Nanos) / 1_000_000;
  }
}
