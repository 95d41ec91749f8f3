package io.emp.jobqueue.core.model;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads typed fields out of untrusted JSON, recording a {@link Problem} for each bad field and
 * carrying on, so a caller sees every problem at once.
 */
public final class JsonReader {
  private final JsonObject json;
  private final List<Problem> problems;
  private final String path;

  public JsonReader(JsonObject json, List<Problem> problems, String path) {
    this.json = json == null ? new JsonObject() : json;
    this.problems = problems;
    this.path = path;
  }

  public List<Problem> problems() {
    return problems;
  }

  public String field(String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  public void problem(String name, String code, String message) {
    problems.add(new Problem(field(name), code, message));
  }

  public boolean has(String name) {
    return json.containsKey(name) && json.getValue(name) != null;
  }

  /** Flags keys other than the allowed ones: an unknown requirement would otherwise never match. */
  public void rejectUnknown(Set<String> allowed) {
    for (String k : json.fieldNames()) {
      if (!allowed.contains(k)) {
        problem(k, "unknown_field", "unknown field; allowed: " + String.join(", ", allowed));
      }
    }
  }

  public String string(String name, boolean required, int maxLen) {
    Object v = json.getValue(name);
    if (v == null) {
      if (required) {
        problem(name, "required", "is required");
      }
      return null;
    }
    if (!(v instanceof String s)) {
      problem(name, "type", "must be a string");
      return null;
    }
    if (required && s.isBlank()) {
      problem(name, "required", "must not be blank");
      return null;
    }
    if (s.length() > maxLen) {
      problem(name, "too_long", "must be at most " + maxLen + " characters");
      return null;
    }
    return s;
  }

  /** Identifier-like strings: letters, digits and -_. only, so they are safe inside Redis keys and logs. */
  public String identifier(String name, boolean required, int maxLen) {
    String s = string(name, required, maxLen);
    if (s != null && !s.matches("[A-Za-z0-9_.\\-]+")) {
      problem(name, "format", "may contain only letters, digits, '-', '_' and '.'");
      return null;
    }
    return s;
  }

  public Long integer(String name, long min, long max) {
    Object v = json.getValue(name);
    if (v == null) {
      return null;
    }
    if (v instanceof String s) {
      try {
        v = Long.parseLong(s.trim());
      } catch (NumberFormatException e) {
        problem(name, "type", "must be an integer");
        return null;
      }
    }
    if (!(v instanceof Number n) || (v instanceof Double d && d != Math.rint(d))
        || (v instanceof Float f && f != Math.rint(f))) {
      problem(name, "type", "must be an integer");
      return null;
    }
    long l = n.longValue();
    if (l < min || l > max) {
      problem(name, "range", "must be between " + min + " and " + max);
      return null;
    }
    return l;
  }

  public Double number(String name, double min, double max) {
    Object v = json.getValue(name);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Number n)) {
      problem(name, "type", "must be a number");
      return null;
    }
    double d = n.doubleValue();
    if (Double.isNaN(d) || d < min || d > max) {
      problem(name, "range", "must be between " + min + " and " + max);
      return null;
    }
    return d;
  }

  public Boolean bool(String name) {
    Object v = json.getValue(name);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Boolean b)) {
      problem(name, "type", "must be true or false");
      return null;
    }
    return b;
  }

  public JsonObject object(String name) {
    Object v = json.getValue(name);
    if (v == null) {
      return null;
    }
    if (v instanceof Map<?, ?> m) {
      @SuppressWarnings("unchecked")
      Map<String, Object> cast = (Map<String, Object>) m;
      return new JsonObject(cast);
    }
    if (!(v instanceof JsonObject o)) {
      problem(name, "type", "must be a JSON object");
      return null;
    }
    return o;
  }

  public JsonReader nested(String name) {
    JsonObject o = object(name);
    return o == null ? null : new JsonReader(o, problems, field(name));
  }

  public List<String> stringList(String name, int maxItems, int maxLen) {
    Object v = json.getValue(name);
    if (v == null) {
      return List.of();
    }
    if (v instanceof String s) {
      v = new JsonArray().add(s);
    }
    if (v instanceof List<?> l) {
      v = new JsonArray(new ArrayList<>(l));
    }
    if (!(v instanceof JsonArray arr)) {
      problem(name, "type", "must be an array of strings");
      return List.of();
    }
    if (arr.size() > maxItems) {
      problem(name, "too_many", "must have at most " + maxItems + " items");
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (Object o : arr) {
      if (!(o instanceof String s) || s.isBlank() || s.length() > maxLen) {
        problem(name, "type", "must contain only non-blank strings of at most " + maxLen + " characters");
        return List.of();
      }
      out.add(s);
    }
    return List.copyOf(out);
  }

  /** A flat map of scalars or arrays of scalars (used for matching attributes). */
  public Map<String, Object> scalarMap(String name) {
    JsonObject o = object(name);
    if (o == null) {
      return Map.of();
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : o) {
      Object v = e.getValue();
      if (v instanceof List<?> l) {
        v = new JsonArray(new ArrayList<>(l));
      }
      boolean ok = isScalar(v) || (v instanceof JsonArray a && a.stream().allMatch(JsonReader::isScalar));
      if (!ok) {
        problems.add(new Problem(field(name) + "." + e.getKey(), "type",
            "must be a string, number, boolean or an array of those"));
        continue;
      }
      out.put(e.getKey(), v);
    }
    return out;
  }

  private static boolean isScalar(Object v) {
    return v instanceof String || v instanceof Number || v instanceof Boolean;
  }

  public <E extends Enum<E>> E enumValue(String name, Class<E> type, E def) {
    String s = string(name, false, 64);
    if (s == null) {
      return def;
    }
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(s)) {
        return e;
      }
    }
    List<String> names = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      names.add(e.name().toLowerCase());
    }
    problem(name, "enum", "must be one of " + String.join(", ", names));
    return def;
  }
}
