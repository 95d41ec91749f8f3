package io.emp.jobqueue.machine;

import java.util.Locale;

/** What a worker slot is bound to: a real GPU, the CPU, or a simulated GPU (dev machines without one). */
public enum Binding {
  GPU, CPU, MOCK_GPU;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Null when the text names no binding. */
  public static Binding parse(String s) {
    for (Binding b : values()) {
      if (b.wire().equals(s)) {
        return b;
      }
    }
    return null;
  }

  /** GPU and mock GPU slots each own one (real or simulated) GPU index. */
  public boolean ownsGpu() {
    return this != CPU;
  }
}
