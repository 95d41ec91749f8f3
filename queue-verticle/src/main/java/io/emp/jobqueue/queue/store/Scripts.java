package io.emp.jobqueue.queue.store;

import io.emp.jobqueue.core.model.JobStatus;
import io.emp.jobqueue.core.model.PriorityScore;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Lua scripts: each is a generated prelude (key shapes, transition table, settings, server time)
 * + lib.lua + its own resource file. Called by EVALSHA; a NOSCRIPT reply (Redis restarted or
 * SCRIPT FLUSH) falls back to EVAL, which also re-caches the script.
 */
final class Scripts {

  enum Name {
    SUBMIT, CLAIM, RENEW, PROGRESS, COMPLETE, FAIL, RELEASE, CANCEL, REAP, PROMOTE, TRIM, LIST, STATS,
    MACHINE_REGISTER, MACHINE_HEARTBEAT, MACHINE_UNREGISTER, RETRY, SELECT_RETRY, DELETE, PROMOTE_NOW, BROWSE;

    String resource() {
      return "lua/" + name().toLowerCase(Locale.ROOT) + ".lua";
    }
  }

  /** Most browser index entries one trim run drops (a run must stay short: it blocks Redis). */
  static final int TRIM_BATCH = 10_000;

  record Script(String sha, String source) {
  }

  private final Map<Name, Script> scripts;
  private final String routingKey;

  private Scripts(Map<Name, Script> scripts, String routingKey) {
    this.scripts = scripts;
    this.routingKey = routingKey;
  }

  /** Reads the resources (blocking: call off the event loop) and builds every script's source. */
  static Scripts build(RedisKeys keys, StoreConfig cfg) {
    Map<String, String> lib = libraryFunctions(read("lua/lib.lua"));
    String constants = settings(cfg)
        + "local _t = redis.call('TIME')\n"
        + "local NOW = tonumber(_t[1]) * 1000 + math.floor(tonumber(_t[2]) / 1000)\n"
        // numbers handed to redis.call are formatted with sprintf each time: format the clock once
        + "local NOWS = string.format('%d', NOW)\n"
        + "local TP = ARGV[1]\n";
    Map<Name, Script> m = new EnumMap<>(Name.class);
    for (Name n : Name.values()) {
      String body = read(n.resource());
      String helpers = helpersFor(body, lib);
      String used = helpers + body;
      String src = keys.luaKeyTable(used) + (used.contains("CAN[") || used.contains("FINAL[") ? transitions() : "") + constants + helpers
          + "\n" + body;
      m.put(n, new Script(sha1(src), src));
    }
    return new Scripts(m, keys.events());
  }

  /** lib.lua split into its "local function" blocks, in file order. */
  static Map<String, String> libraryFunctions(String lib) {
    Map<String, String> out = new LinkedHashMap<>();
    Matcher m = Pattern.compile("(?m)^local function (\\w+)\\(").matcher(lib);
    List<int[]> starts = new ArrayList<>();
    List<String> names = new ArrayList<>();
    while (m.find()) {
      starts.add(new int[] {m.start()});
      names.add(m.group(1));
    }
    for (int i = 0; i < names.size(); i++) {
      int end = i + 1 < names.size() ? starts.get(i + 1)[0] : lib.length();
      out.put(names.get(i), lib.substring(starts.get(i)[0], end));
    }
    return out;
  }

  /**
   * Only the helpers a script calls (directly or through another helper): the prelude runs on every
   * call, and each unused closure would be built for nothing.
   */
  static String helpersFor(String body, Map<String, String> lib) {
    Set<String> needed = new HashSet<>();
    boolean grew = true;
    while (grew) {
      grew = false;
      StringBuilder scope = new StringBuilder(body);
      needed.forEach(n -> scope.append(lib.get(n)));
      for (String name : lib.keySet()) {
        if (!needed.contains(name) && Pattern.compile("\\b" + name + "\\(").matcher(scope).find()) {
          needed.add(name);
          grew = true;
        }
      }
    }
    StringBuilder sb = new StringBuilder();
    lib.forEach((name, src) -> {
      if (needed.contains(name)) {
        sb.append(src);
      }
    });
    return sb.toString();
  }

  /** Loads every script so the first calls do not pay for a NOSCRIPT round trip. */
  Future<Void> preload(Redis redis) {
    return Future.all(scripts.values().stream()
            .map(s -> redis.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(s.source())))
            .toList())
        .mapEmpty();
  }

  Future<Response> call(Redis redis, Name name, List<String> args) {
    return call(redis::send, name, args);
  }

  /** As {@link #call(Redis, Name, List)}, on whatever sends: a pooled client or one held connection. */
  Future<Response> call(Function<Request, Future<Response>> send, Name name, List<String> args) {
    Script s = scripts.get(name);
    return send.apply(request(Command.EVALSHA, s.sha(), args))
        .recover(err -> err.getMessage() != null && err.getMessage().startsWith("NOSCRIPT")
            ? send.apply(request(Command.EVAL, s.source(), args))
            : Future.failedFuture(err));
  }

  private Request request(Command cmd, String scriptOrSha, List<String> args) {
    // One declared key routes the call on Redis Cluster; every other key shares its hash tag.
    Request r = Request.cmd(cmd).arg(scriptOrSha).arg(1).arg(routingKey);
    for (String a : args) {
      r.arg(a);
    }
    return r;
  }

  /** The transition table as one flat Lua table: CAN['pending>assigned'] = true. */
  static String transitions() {
    StringBuilder sb = new StringBuilder("local CAN = {");
    for (Map.Entry<String, Set<String>> e : JobStatus.transitionTable().entrySet()) {
      for (String to : e.getValue()) {
        sb.append("['").append(e.getKey()).append('>').append(to).append("'] = true, ");
      }
    }
    // operator-only moves (retry, promote now) under a '!' prefix: only canOperator() reads them
    for (Map.Entry<String, Set<String>> e : JobStatus.operatorTransitionTable().entrySet()) {
      for (String to : e.getValue()) {
        sb.append("['!").append(e.getKey()).append('>').append(to).append("'] = true, ");
      }
    }
    sb.append("}\nlocal FINAL = {");
    for (JobStatus st : JobStatus.values()) {
      if (st.isFinal()) {
        sb.append(st.wire()).append(" = true, ");
      }
    }
    return sb.append("}\n").toString();
  }

  private static String settings(StoreConfig c) {
    return "local C = {\n"
        + "  max_priority = " + PriorityScore.MAX_PRIORITY + ",\n"
        + "  band = " + PriorityScore.band() + ",\n"
        + "  events_max = " + c.eventsMaxLen() + ",\n"
        + "  job_events_max = " + c.jobEventsMax() + ",\n"
        + "  idempotency_ttl_ms = " + c.idempotencyTtlMs() + ",\n"
        + "  retention_completed = " + c.retentionCompletedMs() + ",\n"
        + "  retention_failed = " + c.retentionFailedMs() + ",\n"
        + "  retention_cancelled = " + c.retentionCancelledMs() + ",\n"
        + "  backoff_base_ms = " + c.retry().baseMs() + ",\n"
        + "  backoff_cap_ms = " + c.retry().capMs() + ",\n"
        + "  backoff_jitter = " + c.retry().jitter() + ",\n"
        + "  avoid_window_ms = " + c.retry().avoidWindowMs() + ",\n"
        + "  max_lost_leases = " + c.retry().maxLostLeases() + ",\n"
        + "  error_chain_max = " + c.errorChainMax() + ",\n"
        + "  event_result_max = " + c.eventResultMaxBytes() + ",\n"
        + "  list_scan_max = " + c.listScanMax() + ",\n"
        + "  trim_batch = " + TRIM_BATCH + ",\n"
        + "}\n";
  }

  private static String read(String resource) {
    try (InputStream in = Scripts.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing script resource " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha1(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
