package io.emp.jobqueue.core.metrics;

/** A gauge's current value, set or moved by the code that owns the fact. */
public final class GaugeValue {
  private double value;

  public synchronized void set(double v) {
    value = v;
  }

  public synchronized void add(double delta) {
    value += delta;
  }

  public synchronized double get() {
    return value;
  }
}
