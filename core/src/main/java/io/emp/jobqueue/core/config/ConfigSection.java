package io.emp.jobqueue.core.config;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One section of the node configuration as its reader (a config record's {@code from}) sees it.
 * The getters mirror {@link JsonObject}'s, so a reader reads a key exactly as before; in addition
 * each getter checks the value's type (naming the key's dotted path when it is wrong) and remembers
 * that the key was read. After every reader ran over the tree, {@link #unknownKeys()} names each
 * key nobody read: a typo such as {@code gateway.prot}. The set of known keys is therefore the
 * set of keys the readers read, and adding a setting is one line, the read itself.
 *
 * <p>Numbers and booleans may also arrive as strings (environment variables and flags are text):
 * {@code "8080"} reads as 8080, {@code "abc"} is refused.
 *
 * <p>Sections and their values are never modified; {@link #with} gives a reader a value the
 * launcher supplies (a worker's id, the machine's store) without making it a user key.
 */
public final class ConfigSection {
  private final JsonObject json;
  private final String path;
  private final Map<String, Object> supplied;
  private final Set<String> read;
  private final Map<String, ConfigSection> sections;

  private ConfigSection(JsonObject json, String path, Map<String, Object> supplied, Set<String> read,
                        Map<String, ConfigSection> sections) {
    this.json = json == null ? new JsonObject() : json;
    this.path = path;
    this.supplied = supplied;
    this.read = read;
    this.sections = sections;
  }

  private ConfigSection(JsonObject json, String path) {
    this(json, path, Map.of(), new LinkedHashSet<>(), new LinkedHashMap<>());
  }

  /** The root of a tree: keys are named from the top ({@code gateway.port}). */
  public static ConfigSection of(JsonObject json) {
    return new ConfigSection(json, "");
  }

  /** A section read on its own; {@code path} prefixes the key names in messages ({@code "gateway"}). */
  public static ConfigSection of(JsonObject json, String path) {
    return new ConfigSection(json, path);
  }

  /**
   * This section with {@code key} set by the caller (the launcher), shadowing any value the user
   * gave. Reads through the returned view count for this section.
   */
  public ConfigSection with(String key, Object value) {
    Map<String, Object> s = new LinkedHashMap<>(supplied);
    s.put(key, value);
    return new ConfigSection(json, path, s, read, sections);
  }

  /** The keys present in this section (for sections whose keys are names, e.g. SLA tiers). */
  public Set<String> fieldNames() {
    return Set.copyOf(json.fieldNames());
  }

  /** Dotted path of {@code key} in this section. */
  public String pathOf(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  public String path() {
    return path;
  }

  public boolean containsKey(String key) {
    read.add(key);
    return supplied.containsKey(key) || json.getValue(key) != null;
  }

  /** Any value, unchecked (the reader validates it), or null. */
  public Object getValue(String key) {
    return raw(key);
  }

  public String getString(String key) {
    return getString(key, null);
  }

  public String getString(String key, String def) {
    Object v = raw(key);
    if (v == null) {
      return def;
    }
    if (v instanceof String s) {
      return s;
    }
    throw wrongType(key, "a string", v);
  }

  public Integer getInteger(String key) {
    return getInteger(key, null);
  }

  public Integer getInteger(String key, Integer def) {
    Long v = whole(key);
    if (v == null) {
      return def;
    }
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      throw new ConfigException(pathOf(key) + ": expected a number within " + Integer.MIN_VALUE + ".."
          + Integer.MAX_VALUE + ", got " + v);
    }
    return v.intValue();
  }

  public Long getLong(String key) {
    return getLong(key, null);
  }

  public Long getLong(String key, Long def) {
    Long v = whole(key);
    return v == null ? def : v;
  }

  public Double getDouble(String key) {
    return getDouble(key, null);
  }

  public Double getDouble(String key, Double def) {
    Object v = raw(key);
    if (v == null) {
      return def;
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    if (v instanceof String s) {
      try {
        return Double.parseDouble(s.trim());
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    throw wrongType(key, "a number", v);
  }

  public Boolean getBoolean(String key) {
    return getBoolean(key, null);
  }

  public Boolean getBoolean(String key, Boolean def) {
    Object v = raw(key);
    if (v == null) {
      return def;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof String s && (s.trim().equalsIgnoreCase("true") || s.trim().equalsIgnoreCase("false"))) {
      return Boolean.parseBoolean(s.trim());
    }
    throw wrongType(key, "true or false", v);
  }

  public JsonArray getJsonArray(String key) {
    return getJsonArray(key, null);
  }

  public JsonArray getJsonArray(String key, JsonArray def) {
    Object v = raw(key);
    if (v == null) {
      return def;
    }
    if (v instanceof JsonArray a) {
      return a;
    }
    throw wrongType(key, "a list", v);
  }

  /** A free-form object (its keys are data, e.g. customer ids): read whole, its keys are not checked. */
  public JsonObject getJsonObject(String key) {
    return getJsonObject(key, null);
  }

  public JsonObject getJsonObject(String key, JsonObject def) {
    Object v = raw(key);
    if (v == null) {
      return def;
    }
    if (v instanceof JsonObject o) {
      return o;
    }
    throw wrongType(key, "an object", v);
  }

  /** A nested section with keys of its own; empty when absent. Its unread keys are reported too. */
  public ConfigSection section(String key) {
    ConfigSection known = sections.get(key);
    if (known != null) {
      return known;
    }
    Object v = raw(key);
    if (v != null && !(v instanceof JsonObject)) {
      throw wrongType(key, "an object", v);
    }
    ConfigSection s = new ConfigSection((JsonObject) v, pathOf(key));
    if (!supplied.containsKey(key)) {
      sections.put(key, s);
    }
    return s;
  }

  /** Dotted paths of the keys present in this section (and its sections) that no reader read. */
  public List<String> unknownKeys() {
    List<String> out = new ArrayList<>();
    unknown((section, key) -> out.add(section.pathOf(key)));
    return out;
  }

  /**
   * Throws when {@link #unknownKeys()} is not empty, naming each key with the one it probably
   * meant, or else the keys its section takes: call after every reader ran.
   */
  public void rejectUnknownKeys() {
    List<String> parts = new ArrayList<>();
    unknown((section, key) -> parts.add(section.pathOf(key) + " (" + hint(section, key) + ")"));
    if (!parts.isEmpty()) {
      throw new ConfigException((parts.size() == 1 ? "unknown config key " : "unknown config keys: ")
          + String.join("; ", parts));
    }
  }

  private void unknown(java.util.function.BiConsumer<ConfigSection, String> sink) {
    for (String k : json.fieldNames()) {
      ConfigSection s = sections.get(k);
      if (s != null) {
        s.unknown(sink);
      } else if (!read.contains(k) && !supplied.containsKey(k)) {
        sink.accept(this, k);
      }
    }
  }

  private static String hint(ConfigSection parent, String key) {
    Set<String> known = new java.util.TreeSet<>(parent.read);
    known.addAll(parent.sections.keySet());
    String best = Typos.closest(key, known);
    if (best != null) {
      return "did you mean " + parent.pathOf(best) + "?";
    }
    String where = parent.path.isEmpty() ? "the top level" : parent.path;
    return known.isEmpty() ? where + " takes no keys" : where + " takes: " + String.join(", ", known);
  }

  private Object raw(String key) {
    read.add(key);
    return supplied.containsKey(key) ? supplied.get(key) : json.getValue(key);
  }

  private Long whole(String key) {
    Object v = raw(key);
    if (v == null) {
      return null;
    }
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof Number n) {
      double d = n.doubleValue();
      if (d == Math.rint(d) && Math.abs(d) < 9.0e15) {
        return (long) d;
      }
      throw wrongType(key, "a whole number", v);
    }
    if (v instanceof String s) {
      try {
        return Long.parseLong(s.trim());
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    throw wrongType(key, "a number", v);
  }

  private ConfigException wrongType(String key, String expected, Object v) {
    String shown = Json.encode(v);
    if (shown.length() > 60) {
      shown = shown.substring(0, 57) + "...";
    }
    return new ConfigException(pathOf(key) + ": expected " + expected + ", got " + shown);
  }
}
