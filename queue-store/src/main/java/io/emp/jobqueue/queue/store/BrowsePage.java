package io.emp.jobqueue.queue.store;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * One page of the job browser (jobs as {@link JobView} JSON, newest created first); {@code nextCursor}
 * is null when nothing matches after the page.
 */
public record BrowsePage(List<JsonObject> jobs, String nextCursor) {
  public JsonObject toJson() {
    return new JsonObject().put("jobs", new JsonArray(List.copyOf(jobs))).put("next_cursor", nextCursor);
  }
}
