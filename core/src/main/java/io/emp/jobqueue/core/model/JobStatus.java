package io.emp.jobqueue.core.model;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Job states and the ONE table of allowed transitions. The Redis scripts receive this table
 * (see {@link #transitionTable()}) at load time, so Java and Lua cannot disagree.
 */
public enum JobStatus {
  PENDING,
  /** Waiting out a retry backoff; promoted back to PENDING with its original queue place. */
  DELAYED,
  ASSIGNED,
  IN_PROGRESS,
  COMPLETED,
  FAILED,
  CANCELLED;

  private static final Map<JobStatus, Set<JobStatus>> NEXT = new LinkedHashMap<>();
  private static final Map<JobStatus, Set<JobStatus>> BY_OPERATOR = new LinkedHashMap<>();

  static {
    NEXT.put(PENDING, EnumSet.of(ASSIGNED, CANCELLED));
    NEXT.put(DELAYED, EnumSet.of(PENDING, CANCELLED));
    // ASSIGNED -> PENDING: handed back by a draining worker; -> DELAYED/FAILED: failure or expired lease.
    NEXT.put(ASSIGNED, EnumSet.of(IN_PROGRESS, COMPLETED, FAILED, DELAYED, PENDING, CANCELLED));
    NEXT.put(IN_PROGRESS, EnumSet.of(COMPLETED, FAILED, DELAYED, PENDING, CANCELLED));
    NEXT.put(COMPLETED, EnumSet.noneOf(JobStatus.class));
    NEXT.put(FAILED, EnumSet.noneOf(JobStatus.class));
    NEXT.put(CANCELLED, EnumSet.noneOf(JobStatus.class));
    // Only an operator moves a job out of a final state: retry of a failed or cancelled job. These are
    // kept apart from the lifecycle so no worker, reaper or client path can take them by accident.
    BY_OPERATOR.put(FAILED, EnumSet.of(PENDING));
    BY_OPERATOR.put(CANCELLED, EnumSet.of(PENDING));
    // promote: a delayed job is queued now instead of when its backoff ends
    BY_OPERATOR.put(DELAYED, EnumSet.of(PENDING));
  }

  public boolean canMoveTo(JobStatus next) {
    return NEXT.get(this).contains(next);
  }

  /** Whether an operator action (retry, promote) may move a job from this state to {@code next}. */
  public boolean operatorCanMoveTo(JobStatus next) {
    return BY_OPERATOR.getOrDefault(this, Set.of()).contains(next);
  }

  public boolean isFinal() {
    return NEXT.get(this).isEmpty();
  }

  public boolean isActive() {
    return this == ASSIGNED || this == IN_PROGRESS;
  }

  public Set<JobStatus> next() {
    return Collections.unmodifiableSet(NEXT.get(this));
  }

  /** Wire name, as stored in Redis and shown over HTTP. */
  public String wire() {
    return name().toLowerCase();
  }

  public static JobStatus fromWire(String s) {
    if (s == null) {
      throw new IllegalArgumentException("status is missing");
    }
    for (JobStatus st : values()) {
      if (st.wire().equals(s)) {
        return st;
      }
    }
    throw new IllegalArgumentException("unknown status '" + s + "'; expected one of "
        + Arrays.stream(values()).map(JobStatus::wire).collect(Collectors.joining(", ")));
  }

  /** wire status -> set of wire statuses an operator action may move it to (Lua: canOperator). */
  public static Map<String, Set<String>> operatorTransitionTable() {
    Map<String, Set<String>> table = new LinkedHashMap<>();
    BY_OPERATOR.forEach((from, to) -> table.put(from.wire(),
        to.stream().map(JobStatus::wire).collect(Collectors.toCollection(java.util.LinkedHashSet::new))));
    return table;
  }

  /** wire status -> set of wire statuses it may move to. */
  public static Map<String, Set<String>> transitionTable() {
    Map<String, Set<String>> table = new LinkedHashMap<>();
    NEXT.forEach((from, to) -> table.put(from.wire(),
        to.stream().map(JobStatus::wire).collect(Collectors.toCollection(java.util.LinkedHashSet::new))));
    return table;
  }
}
