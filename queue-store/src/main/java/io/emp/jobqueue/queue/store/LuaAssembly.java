package io.emp.jobqueue.queue.store;

import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.model.JobEvent;
import io.emp.jobqueue.core.model.JobStatus;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How one script's source is put together, from what it declares. Every script and every lib.lua helper
 * names what it needs in directive lines:
 * <pre>
 * --! include: owned, emit      (lib.lua helpers it calls)
 * --! uses: K, F, EV, NOWS      (generated tables and values it reads)
 * </pre>
 * The assembled source is: the generated tables the script and its helpers use (only the entries they
 * name, since the prelude runs on every call), the helpers (dependencies first), the script; F, EV and ST
 * names are replaced by their strings (see {@link #inline}). A call to a
 * helper or a read of a table that is not declared, a declaration that is not used, or a field, event or
 * status name the Java owner does not define fails the build: reading a script alone tells where every
 * name comes from. The generated tables come from their one Java owner: K from {@link RedisKeys}, F from
 * {@link Job.F}, EV from {@link JobEvent}'s type names, ST from {@link JobStatus}, CAN and FINAL from its
 * transition table, C from {@link StoreConfig}.
 */
final class LuaAssembly {

  /** What a script or helper may use, in the order the prelude defines them. */
  static final List<String> TABLES = List.of("K", "F", "EV", "ST", "CAN", "FINAL", "C", "NOW", "NOWS", "TP");

  private static final Map<String, String> FIELDS = constants(Job.F.class);
  private static final Map<String, String> EVENTS = constants(JobEvent.class);
  private static final Map<String, String> STATUSES = statuses();

  private static final Pattern DIRECTIVE = Pattern.compile("(?m)^--!\\s*(include|uses):(.*)$");
  private static final Pattern HELPER = Pattern.compile("(?m)^local function (\\w+)\\(");
  private static final Pattern INLINED = Pattern.compile("(?<![\\w.:])(F|EV|ST)\\.(\\w+)");
  private static final Pattern LOCAL_NAME = Pattern.compile("\\blocal\\s+(?:function\\s+)?(\\w+)");

  /** A script or a helper: its source, its declarations and its code without comments and strings. */
  record Unit(String name, String source, List<String> includes, List<String> uses, String code) {
    static Unit parse(String name, String source) {
      List<String> includes = new ArrayList<>();
      List<String> uses = new ArrayList<>();
      Matcher m = DIRECTIVE.matcher(source);
      while (m.find()) {
        for (String s : m.group(2).split(",")) {
          if (!s.isBlank()) {
            (m.group(1).equals("include") ? includes : uses).add(s.strip());
          }
        }
      }
      return new Unit(name, source, List.copyOf(includes), List.copyOf(uses), LuaAssembly.code(source));
    }
  }

  private final Map<String, Unit> lib;
  private final String settings;

  /**
   * @param libSource lib.lua: one {@code local function} per helper, its comment and directives right above it
   * @param settings the C table's Lua source
   */
  private final boolean gate;

  /** @param gate whether scripts start with {@link RedisKeys#luaMovingGate()} (Redis Cluster) */
  LuaAssembly(String libSource, String settings, boolean gate) {
    this.gate = gate;
    this.lib = helpers(libSource);
    this.settings = settings;
    lib.values().forEach(this::check);
  }

  /** The full source of one script; throws {@link IllegalStateException} naming what is wrong. */
  String assemble(String name, String body) {
    Unit script = Unit.parse(name, body);
    check(script);
    List<Unit> helpers = new ArrayList<>();
    collect(script, helpers, new LinkedHashSet<>());
    Set<String> uses = new LinkedHashSet<>(script.uses());
    StringBuilder code = new StringBuilder(script.code());
    for (Unit h : helpers) {
      uses.addAll(h.uses());
      code.append('\n').append(h.code());
    }
    StringBuilder src = new StringBuilder("-- assembled ").append(name).append(": generated prelude, ")
        .append(helpers.isEmpty() ? "no helpers" : "helpers " + String.join(", ", helpers.stream().map(Unit::name).toList()))
        .append(", script (LuaAssembly.java)\n");
    src.append(prelude(uses, code.toString()));
    helpers.forEach(h -> src.append(h.source().strip()).append("\n\n"));
    return inline(src.append(body).toString());
  }

  /**
   * F.SERVICE, EV.ASSIGNED, ST.PENDING become the string they stand for: the names cost nothing per call
   * (a table built in the prelude would be rebuilt on every call) and the dumped source reads as Redis
   * runs it. Only names the owner defines reach here (check), so every match has a value.
   */
  private static String inline(String src) {
    Matcher m = INLINED.matcher(src);
    StringBuilder out = new StringBuilder(src.length());
    while (m.find()) {
      Map<String, String> table = switch (m.group(1)) {
        case "F" -> FIELDS;
        case "EV" -> EVENTS;
        default -> STATUSES;
      };
      String value = table.get(m.group(2));
      m.appendReplacement(out, Matcher.quoteReplacement(value == null ? m.group() : "'" + value + "'"));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** The helpers a unit includes, transitively, each after the ones it calls. */
  private void collect(Unit u, List<Unit> out, Set<String> visiting) {
    for (String inc : u.includes()) {
      Unit h = lib.get(inc);
      if (out.contains(h)) {
        continue;
      }
      if (!visiting.add(inc)) {
        throw new IllegalStateException("lua helper " + inc + " includes itself through " + visiting);
      }
      collect(h, out, visiting);
      visiting.remove(inc);
      out.add(h);
    }
  }

  private String prelude(Set<String> uses, String code) {
    StringBuilder sb = new StringBuilder(gate ? RedisKeys.luaMovingGate() : "");
    if (uses.contains("K")) {
      sb.append(RedisKeys.luaKeyTable(code));
    }
    if (uses.contains("CAN")) {
      sb.append(Scripts.transitions());
    }
    if (uses.contains("FINAL")) {
      sb.append(Scripts.finals());
    }
    if (uses.contains("C")) {
      sb.append(settings);
    }
    if (uses.contains("NOW") || uses.contains("NOWS")) {
      sb.append("local _t = redis.call('TIME')\n")
          .append("local NOW = tonumber(_t[1]) * 1000 + math.floor(tonumber(_t[2]) / 1000)\n");
    }
    if (uses.contains("NOWS")) {
      // numbers handed to redis.call are formatted with sprintf each time: format the clock once
      sb.append("local NOWS = string.format('%d', NOW)\n");
    }
    if (uses.contains("TP")) {
      sb.append("local TP = ARGV[1]\n");
    }
    return sb.toString();
  }

  /** Fails unless the unit declares exactly the helpers it calls and the tables it reads, all known. */
  private void check(Unit u) {
    String where = "lua " + u.name() + ": ";
    for (String inc : u.includes()) {
      if (!lib.containsKey(inc)) {
        throw new IllegalStateException(where + "--! include: " + inc + " is not a lib.lua helper (known: " + lib.keySet() + ")");
      }
    }
    for (String use : u.uses()) {
      if (!TABLES.contains(use)) {
        throw new IllegalStateException(where + "--! uses: " + use + " is not a generated table (known: " + TABLES + ")");
      }
    }
    Set<String> local = new LinkedHashSet<>();
    Matcher lm = LOCAL_NAME.matcher(u.code());
    while (lm.find()) {
      local.add(lm.group(1));
    }
    for (String h : lib.keySet()) {
      if (h.equals(u.name()) || local.contains(h)) {
        continue; // its own definition, or a local of the script's that shadows the helper
      }
      boolean called = Pattern.compile("(?<![\\w.:])" + h + "\\s*\\(").matcher(u.code()).find();
      if (called && !u.includes().contains(h)) {
        throw new IllegalStateException(where + "calls " + h + "() without declaring it: add it to '--! include:'");
      }
      if (!called && u.includes().contains(h)) {
        throw new IllegalStateException(where + "declares '--! include: " + h + "' but never calls it");
      }
    }
    for (String t : TABLES) {
      boolean used = Pattern.compile("(?<![\\w.:])" + t + "(?!\\w)").matcher(u.code()).find();
      if (used && !u.uses().contains(t)) {
        throw new IllegalStateException(where + "uses " + t + " without declaring it: add it to '--! uses:'");
      }
      if (!used && u.uses().contains(t)) {
        throw new IllegalStateException(where + "declares '--! uses: " + t + "' but never uses it");
      }
    }
    known(where, "F", FIELDS.keySet(), entries("F", u.code()), "Job.F");
    known(where, "EV", EVENTS.keySet(), entries("EV", u.code()), "JobEvent");
    known(where, "ST", STATUSES.keySet(), entries("ST", u.code()), "JobStatus");
    known(where, "K", RedisKeys.shapeNames(), entries("K", u.code()), "RedisKeys");
  }

  private static void known(String where, String table, Set<String> known, Set<String> used, String owner) {
    for (String e : used) {
      if (!known.contains(e)) {
        throw new IllegalStateException(where + table + "." + e + " is not defined by " + owner);
      }
    }
  }

  /** The names the code reads from a table: NAME.x. */
  private static Set<String> entries(String table, String code) {
    Set<String> out = new LinkedHashSet<>();
    Matcher m = Pattern.compile("(?<![\\w.:])" + table + "\\.(\\w+)").matcher(code);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  /** lib.lua split into helpers: each "local function" with the comment lines right above it. */
  static Map<String, Unit> helpers(String lib) {
    List<String> lines = Arrays.asList(lib.split("\n", -1));
    List<Integer> starts = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher m = HELPER.matcher(lines.get(i));
      if (m.find()) {
        int s = i;
        while (s > 0 && lines.get(s - 1).startsWith("--") && (starts.isEmpty() || s - 1 > starts.get(starts.size() - 1))) {
          s--;
        }
        starts.add(s);
        names.add(m.group(1));
      }
    }
    Map<String, Unit> out = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      int end = i + 1 < names.size() ? starts.get(i + 1) : lines.size();
      String src = String.join("\n", lines.subList(starts.get(i), end));
      out.put(names.get(i), Unit.parse(names.get(i), src));
    }
    return out;
  }

  /** The source with comments dropped and string literals emptied: what names are looked for in. */
  static String code(String src) {
    StringBuilder out = new StringBuilder(src.length());
    int i = 0;
    int n = src.length();
    while (i < n) {
      char c = src.charAt(i);
      if (c == '-' && src.startsWith("--", i)) {
        int end = src.startsWith("--[[", i) ? src.indexOf("]]", i) : src.indexOf('\n', i);
        i = end < 0 ? n : end + (src.startsWith("--[[", i) ? 2 : 0);
      } else if (c == '\'' || c == '"') {
        out.append(c).append(c);
        i++;
        while (i < n && src.charAt(i) != c) {
          i += src.charAt(i) == '\\' ? 2 : 1;
        }
        i++;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  private static Map<String, String> constants(Class<?> owner) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Field f : owner.getFields()) {
      int mod = f.getModifiers();
      if (Modifier.isStatic(mod) && Modifier.isFinal(mod) && f.getType() == String.class) {
        try {
          out.put(f.getName(), (String) f.get(null));
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return Map.copyOf(out);
  }

  private static Map<String, String> statuses() {
    Map<String, String> out = new LinkedHashMap<>();
    for (JobStatus s : JobStatus.values()) {
      out.put(s.name(), s.wire());
    }
    return Map.copyOf(out);
  }
}
