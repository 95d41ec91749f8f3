package io.emp.jobqueue.core.metrics;

/**
 * The bounded priority label of queue-wait metrics. Priorities run 0..max_priority (default 50);
 * the "high priority" of the contract's queue-wait alert is {@link #HIGH}.
 */
public final class PriorityBand {
  /** Priorities at or above this are high. */
  public static final int HIGH_MIN = 75;
  /** Priorities below this are low. */
  public static final int LOW_MAX_EXCLUSIVE = 25;
  public static final String HIGH = "high";
  public static final String NORMAL = "normal";
  public static final String LOW = "low";

  private PriorityBand() {
  }

  public static String of(int priority) {
    return priority >= HIGH_MIN ? HIGH : priority < LOW_MAX_EXCLUSIVE ? LOW : NORMAL;
  }
}
