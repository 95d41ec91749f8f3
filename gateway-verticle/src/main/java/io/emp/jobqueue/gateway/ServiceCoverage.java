package io.emp.jobqueue.gateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which services some live worker serves, as of the last queue stats poll ({@link JobAnalytics}).
 * A submit for a service outside it is accepted but flagged ({@code warnings: [{code: no_live_worker}]}),
 * so a typo in service_required is not a silent forever-pending job. Until the first poll answers
 * nothing is known and nothing is flagged; a worker that started since the last poll may be flagged
 * once (a warning, never a refusal).
 */
final class ServiceCoverage {
  static final String NO_LIVE_WORKER = "no_live_worker";

  private volatile Set<String> served;

  void update(JsonArray services) {
    Set<String> s = new TreeSet<>();
    services.forEach(o -> s.add(String.valueOf(o)));
    served = s;
  }

  boolean known() {
    return served != null;
  }

  /** The warnings a submit for {@code service} gets: none, or no_live_worker. */
  JsonArray warnings(String service) {
    Set<String> s = served;
    JsonArray w = new JsonArray();
    if (s != null && service != null && !s.contains(service)) {
      w.add(new JsonObject().put("code", NO_LIVE_WORKER).put("message", "no live worker serves service '"
          + service + "' now; the job waits until one does (check service_required)"));
    }
    return w;
  }
}
