package io.emp.jobqueue.queue.monitor;

import io.emp.jobqueue.queue.store.RedisClients;
import io.emp.jobqueue.queue.store.RedisKeys;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.emp.jobqueue.queue.store.StreamTail;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;

/** Follows the monitor stream ({@link StreamTail}): notices stored by any node, for every API node's monitors. */
public final class MonitorTail extends StreamTail<MonitorTail.Notice> {
  /**
   * One stored notice: stream id, bus address, the node that produced it, and its body as stored. The
   * body is parsed only by {@link #json()}: a relay skips its own node's notices, most of the stream on a
   * busy node, and should not pay a JSON parse for each of them.
   */
  public record Notice(String id, String address, String origin, String body) {
    /** The body as JSON; null when it is not a JSON object. */
    public JsonObject json() {
      if (body == null) {
        return new JsonObject();
      }
      try {
        return new JsonObject(body);
      } catch (RuntimeException notJson) {
        return null;
      }
    }
  }

  private MonitorTail(Redis client, String key) {
    super(client, key, "monitor tail", MonitorTail::noticesOf);
  }

  public static MonitorTail create(Vertx vertx, StoreConfig cfg) {
    String key = new RedisKeys(cfg.namespace()).monitor();
    return new MonitorTail(RedisClients.forStream(vertx, cfg, key), key);
  }

  private static List<Notice> noticesOf(Response entries) {
    List<Notice> out = new ArrayList<>();
    for (Response e : entries) {
      String address = null;
      String origin = null;
      String body = null;
      Response fields = e.get(1);
      for (int i = 0; i + 1 < fields.size(); i += 2) {
        String f = fields.get(i).toString();
        String v = fields.get(i + 1).toString();
        switch (f) {
          case MonitorNotices.F_ADDRESS -> address = v;
          case MonitorNotices.F_ORIGIN -> origin = v;
          case MonitorNotices.F_BODY -> body = v;
          default -> { }
        }
      }
      if (address != null) {
        out.add(new Notice(e.get(0).toString(), address, origin, body));
      }
    }
    return out;
  }
}
