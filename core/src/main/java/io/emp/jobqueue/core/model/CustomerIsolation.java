package io.emp.jobqueue.core.model;

/**
 * How strictly customers are kept apart. On a job it is a demand on the worker; on a worker it is
 * what the worker offers. See docs/matching.md for the full rule.
 */
public enum CustomerIsolation {
  NONE, LOOSE, STRICT;

  public String wire() {
    return name().toLowerCase();
  }

  public static CustomerIsolation fromWire(String s) {
    return s == null ? NONE : valueOf(s.toUpperCase());
  }
}
