package io.emp.jobqueue.core.model;

/**
 * The ONE queue-order formula. A pending set is read lowest score first:
 * {@code score = (MAX_PRIORITY - priority) * 2^41 + t}, where t is the effective time in epoch ms
 * (a workflow step's {@code workflow_datetime}, else the job's creation time).
 * Higher priority always wins; within a priority, older t first, exact to the millisecond
 * (2^41 ms is 69 years past 1970, and 1001 bands * 2^41 < 2^53 keeps every score an exact double).
 * Jobs with equal scores are ordered by their queue member, which starts with a global submit
 * counter, so same-millisecond ties keep submission order. A retried job keeps score and member,
 * hence its place.
 */
public final class PriorityScore {
  public static final int MAX_PRIORITY = 1000;
  static final long BAND = 1L << 41;

  private PriorityScore() {
  }

  public static long of(int priority, long effectiveTimeMs) {
    if (priority < 0 || priority > MAX_PRIORITY) {
      throw new IllegalArgumentException("priority must be within 0.." + MAX_PRIORITY);
    }
    if (effectiveTimeMs < 0 || effectiveTimeMs >= BAND) {
      throw new IllegalArgumentException("time out of range: " + effectiveTimeMs);
    }
    return (MAX_PRIORITY - priority) * BAND + effectiveTimeMs;
  }

  public static int priorityOf(long score) {
    return (int) (MAX_PRIORITY - score / BAND);
  }

  public static long timeOf(long score) {
    return score % BAND;
  }

  public static long band() {
    return BAND;
  }
}
