package io.emp.jobqueue.gateway;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Every open socket of this gateway, indexed by subscribed job; event-loop confined. */
final class SessionRegistry {
  private final Set<WsSession> all = new LinkedHashSet<>();
  private final Set<WsSession> monitors = new LinkedHashSet<>();
  private final Map<String, Set<WsSession>> byJob = new HashMap<>();
  /** Readable from any thread (metrics, tests); everything else stays on the event loop. */
  private volatile int count;

  void add(WsSession s) {
    all.add(s);
    count = all.size();
  }

  void addMonitor(WsSession s) {
    monitors.add(s);
  }

  void subscribe(WsSession s, String jobId) {
    byJob.computeIfAbsent(jobId, k -> new LinkedHashSet<>()).add(s);
  }

  void unsubscribe(WsSession s, String jobId) {
    Set<WsSession> set = byJob.get(jobId);
    if (set != null && set.remove(s) && set.isEmpty()) {
      byJob.remove(jobId);
    }
  }

  void remove(WsSession s) {
    all.remove(s);
    count = all.size();
    monitors.remove(s);
    for (String jobId : List.copyOf(s.subscriptions().keySet())) {
      unsubscribe(s, jobId);
    }
  }

  /** A copy: delivering may close sessions and so change the registry. */
  List<WsSession> subscribers(String jobId) {
    Set<WsSession> set = byJob.get(jobId);
    return set == null ? List.of() : new ArrayList<>(set);
  }

  List<WsSession> monitors() {
    return monitors.isEmpty() ? List.of() : new ArrayList<>(monitors);
  }

  List<WsSession> all() {
    return new ArrayList<>(all);
  }

  int size() {
    return count;
  }
}
