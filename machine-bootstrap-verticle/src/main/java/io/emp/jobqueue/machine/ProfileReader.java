package io.emp.jobqueue.machine;

import io.emp.jobqueue.core.model.Problem;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads one JSON object of a profile, collecting a {@link Problem} per bad field (path-qualified). */
final class ProfileReader {
  private final JsonObject json;
  private final String path;
  private final List<Problem> problems;

  ProfileReader(JsonObject json, String path, List<Problem> problems) {
    this.json = json == null ? new JsonObject() : json;
    this.path = path;
    this.problems = problems;
  }

  String field(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  void problem(String key, String code, String message) {
    problems.add(new Problem(field(key), code, field(key) + ": " + message));
  }

  void rejectUnknown(Set<String> known) {
    for (String k : json.fieldNames()) {
      if (!known.contains(k)) {
        problem(k, "unknown", "unknown field");
      }
    }
  }

  String string(String key, boolean required, String def) {
    Object v = json.getValue(key);
    if (v == null) {
      if (required) {
        problem(key, "required", "is required");
      }
      return def;
    }
    if (!(v instanceof String s) || s.isBlank()) {
      problem(key, "type", "must be a non-empty string");
      return def;
    }
    return s;
  }

  int integer(String key, int def, int min, int max) {
    Object v = json.getValue(key);
    if (v == null) {
      return def;
    }
    if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())
        || n.longValue() < min || n.longValue() > max) {
      problem(key, "range", "must be an integer within " + min + ".." + max);
      return def;
    }
    return n.intValue();
  }

  boolean bool(String key, boolean def) {
    Object v = json.getValue(key);
    if (v == null) {
      return def;
    }
    if (!(v instanceof Boolean b)) {
      problem(key, "type", "must be true or false");
      return def;
    }
    return b;
  }

  List<String> strings(String key) {
    Object v = json.getValue(key);
    List<String> out = new ArrayList<>();
    if (v == null) {
      return out;
    }
    if (!(v instanceof JsonArray a)) {
      problem(key, "type", "must be an array of strings");
      return out;
    }
    for (int i = 0; i < a.size(); i++) {
      if (a.getValue(i) instanceof String s) {
        out.add(s);
      } else {
        problem(key + "[" + i + "]", "type", "must be a string");
      }
    }
    return out;
  }

  Map<String, String> stringMap(String key) {
    Map<String, String> out = new LinkedHashMap<>();
    Object v = json.getValue(key);
    if (v == null) {
      return out;
    }
    if (!(v instanceof JsonObject o)) {
      problem(key, "type", "must be an object of strings");
      return out;
    }
    o.forEach(e -> {
      if (e.getValue() instanceof String || e.getValue() instanceof Number || e.getValue() instanceof Boolean) {
        out.put(e.getKey(), String.valueOf(e.getValue()));
      } else {
        problem(key + "." + e.getKey(), "type", "must be a scalar");
      }
    });
    return out;
  }

  /** A nested object's reader; an absent object reads as empty. */
  ProfileReader object(String key) {
    Object v = json.getValue(key);
    if (v != null && !(v instanceof JsonObject)) {
      problem(key, "type", "must be an object");
      return new ProfileReader(new JsonObject(), field(key), problems);
    }
    return new ProfileReader((JsonObject) v, field(key), problems);
  }

  /** Readers of the objects of an array. */
  List<ProfileReader> objects(String key) {
    List<ProfileReader> out = new ArrayList<>();
    Object v = json.getValue(key);
    if (v == null) {
      return out;
    }
    if (!(v instanceof JsonArray a)) {
      problem(key, "type", "must be an array of objects");
      return out;
    }
    for (int i = 0; i < a.size(); i++) {
      if (a.getValue(i) instanceof JsonObject o) {
        out.add(new ProfileReader(o, field(key) + "[" + i + "]", problems));
      } else {
        problem(key + "[" + i + "]", "type", "must be an object");
      }
    }
    return out;
  }

  JsonObject json() {
    return json;
  }

  Object raw(String key) {
    return json.getValue(key);
  }
}
