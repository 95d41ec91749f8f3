package io.emp.jobqueue.core.metrics;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps label cardinality bounded where values come from outside the code (error types a backend
 * reports, models a job names, service names clients submit): the first {@code maxValues} distinct
 * values of a label are kept, later ones become {@link #OTHER}. Every series stays one of a known,
 * small number, whatever the traffic.
 */
public final class BoundedLabels {
  public static final int DEFAULT_MAX_VALUES = 100;
  public static final String OTHER = "other";
  public static final String NONE = "none";

  private final int maxValues;
  private final Map<String, Set<String>> seen = new ConcurrentHashMap<>();

  public BoundedLabels(int maxValues) {
    this.maxValues = maxValues;
  }

  public String admit(String label, String value) {
    if (value == null || value.isEmpty()) {
      return NONE;
    }
    Set<String> values = seen.computeIfAbsent(label, k -> ConcurrentHashMap.newKeySet());
    if (values.contains(value)) {
      return value;
    }
    synchronized (values) {
      if (values.size() >= maxValues) {
        return OTHER;
      }
      values.add(value);
      return value;
    }
  }
}
