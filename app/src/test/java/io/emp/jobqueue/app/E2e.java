package io.emp.jobqueue.app;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Small helpers shared by the end-to-end tests: waiting on futures and walking /api/traces trees. */
final class E2e {
  static final String ADMIN_KEY = "e2e-admin-key-0123456789abcdef";

  private E2e() {
  }

  static <T> T get(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new RuntimeException(e.getCause());
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  /** Every span node of a trace tree (as served by /api/traces), depth first. */
  static List<JsonObject> flatten(JsonObject tree) {
    List<JsonObject> out = new ArrayList<>();
    for (Object root : tree.getJsonArray("roots", new JsonArray())) {
      walk((JsonObject) root, out);
    }
    return out;
  }

  private static void walk(JsonObject node, List<JsonObject> out) {
    out.add(node);
    for (Object c : node.getJsonArray("children", new JsonArray())) {
      walk((JsonObject) c, out);
    }
  }

  /** The only child of {@code parent} with this name; fails when there is none or several. */
  static JsonObject child(JsonObject parent, String name) {
    List<JsonObject> matches = new ArrayList<>();
    for (Object c : parent.getJsonArray("children", new JsonArray())) {
      if (name.equals(((JsonObject) c).getString("name"))) {
        matches.add((JsonObject) c);
      }
    }
    if (matches.size() != 1) {
      throw new AssertionError("expected one child '" + name + "' of " + parent.getString("name") + ", found "
          + matches.size() + "; children: " + parent.getJsonArray("children", new JsonArray()).stream()
              .map(o -> ((JsonObject) o).getString("name")).toList());
    }
    return matches.get(0);
  }

  static boolean hasDescendant(JsonObject tree, String name) {
    return flatten(tree).stream().anyMatch(s -> name.equals(s.getString("name")));
  }
}
