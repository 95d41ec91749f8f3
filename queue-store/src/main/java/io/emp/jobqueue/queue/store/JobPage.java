package io.emp.jobqueue.queue.store;

import io.emp.jobqueue.core.model.Job;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** One page of a listing; {@code nextCursor} is null on the last page. */
public record JobPage(List<Job> jobs, String nextCursor) {
  public JsonObject toJson() {
    JsonArray arr = new JsonArray();
    jobs.forEach(j -> arr.add(j.toJson()));
    return new JsonObject().put("jobs", arr).put("next_cursor", nextCursor);
  }
}
