package io.emp.jobqueue.worker.spi;

/** Receives a job's progress from its connector. Cheap to call often: the worker throttles. */
@FunctionalInterface
public interface ProgressSink {
  /**
   * @param percent 0..100
   * @param message a short human-readable stage ("sampling 12/20"), may be null
   */
  void report(int percent, String message);
}
