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
  /** Every event goes to every monitor: one immutable copy until the set changes, not one per event. */
  private List<WsSession> monitorSnapshot = List.of();
  /** Readable from any thread (metrics, tests); everything else stays on the event loop. */
  private volatile int count;
  private volatile int batched;

  void add(WsSession s) {
    if (all.add(s) && s.flushBatched()) {
      batched++;
    }
    count = all.size();
  }

  void addMonitor(WsSession s) {
    monitors.add(s);
    monitorSnapshot = null;
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
    if (all.remove(s) && s.flushBatched()) {
      batched--;
    }
    count = all.size();
    if (monitors.remove(s)) {
      monitorSnapshot = null;
    }
    for (String jobId : List.copyOf(s.subscriptions().keySet())) {
      unsubscribe(s, jobId);
    }
  }

  /** A copy: delivering may close sessions and so change the registry. */
  List<WsSession> subscribers(String jobId) {
    Set<WsSession> set = byJob.get(jobId);
    return set == null ? List.of() : new ArrayList<>(set);
  }

  /** Immutable: delivering may close monitors and so change the set, never this list. */
  List<WsSession> monitors() {
    List<WsSession> snapshot = monitorSnapshot;
    if (snapshot == null) {
      snapshot = List.copyOf(monitors);
      monitorSnapshot = snapshot;
    }
    return snapshot;
  }

  List<WsSession> all() {
    return new ArrayList<>(all);
  }

  int size() {
    return count;
  }

  /** Open sessions whose flushes are batched; readable from any thread. */
  int flushBatched() {
    return batched;
  }
}
