package io.emp.jobqueue.gateway;

import io.emp.jobqueue.core.model.JobEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * A session's interest in one job. {@code lastSent} is the highest seq delivered; while a replay
 * runs, live events are held back and released after it in seq order, so the client sees each
 * seq exactly once and in order.
 */
final class Subscription {
  final String jobId;
  long lastSent;
  boolean catchingUp = true;
  final List<JobEvent> held = new ArrayList<>();
  String correlationId;
  Long createdAt;

  Subscription(String jobId, long lastSent) {
    this.jobId = jobId;
    this.lastSent = lastSent;
  }
}
