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

  static {
    NEXT.put(PENDING, EnumSet.of(ASSIGNED, CANCELLED));
    NEXT.put(DELAYED, EnumSet.of(PENDING, CANCELLED));
    // ASSIGNED -> PENDING: handed back by a draining worker; -> DELAYED/FAILED: failure or expired lease.
    NEXT.put(ASSIGNED, EnumSet.of(IN_PROGRESS, COMPLETED, FAILED, DELAYED, PENDING, CANCELLED));
    NEXT.put(IN_PROGRESS, EnumSet.of(COMPLETED, FAILED, DELAYED, PENDING, CANCELLED));
    NEXT.put(COMPLETED, EnumSet.noneOf(JobStatus.class));
    NEXT.put(FAILED, EnumSet.noneOf(JobStatus.class));
    NEXT.put(CANCELLED, EnumSet.noneOf(JobStatus.class));
  }

  public boolean canMoveTo(JobStatus next) {
    return NEXT.get(this).contains(next);
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

  /** wire status -> set of wire statuses it may move to. */
  public static Map<String, Set<String>> transitionTable() {
    Map<String, Set<String>> table = new LinkedHashMap<>();
    NEXT.forEach((from, to) -> table.put(from.wire(),
        to.stream().map(JobStatus::wire).collect(Collectors.toCollection(java.util.LinkedHashSet::new))));
    return table;
  }
}
