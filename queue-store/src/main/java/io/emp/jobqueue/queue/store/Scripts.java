package io.emp.jobqueue.queue.store;

import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.core.model.JobStatus;
import io.emp.jobqueue.core.model.PriorityScore;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The Lua scripts: each is a generated prelude (the tables it declares: key shapes, field, event and
 * status names, transition table, settings, server time) + the lib.lua helpers it declares + its own
 * resource file, put together by {@link LuaAssembly}. Called by EVALSHA; a NOSCRIPT reply (Redis restarted or
 * SCRIPT FLUSH) falls back to EVAL, which also re-caches the script.
 */
final class Scripts {

  enum Name {
    SUBMIT, CLAIM, RENEW, PROGRESS, COMPLETE, COMPLETE_CLAIM, FAIL, RELEASE, CANCEL, REAP, PROMOTE, TRIM, LIST, STATS,
    MACHINE_REGISTER, MACHINE_HEARTBEAT, MACHINE_UNREGISTER, MACHINE_DRAIN, RETRY, SELECT_RETRY, DELETE, PROMOTE_NOW, BROWSE,
    JOB_EVENTS;

    String resource() {
      return "lua/" + name().toLowerCase(Locale.ROOT) + ".lua";
    }
  }

  /** Most browser index entries one trim run drops (a run must stay short: it blocks Redis). */
  static final int TRIM_BATCH = 10_000;

  record Script(String sha, String source) {
  }

  private final Map<Name, Script> scripts;

  private Scripts(Map<Name, Script> scripts) {
    this.scripts = scripts;
  }

  /** Reads the resources (blocking: call off the event loop) and builds every script's source. */
  static Scripts build(StoreConfig cfg) {
    return build(cfg, Scripts::read);
  }

  /**
   * As {@link #build(StoreConfig)}, reading each resource ("lua/claim.lua") with {@code read}.
   * Fails (IllegalStateException) when a script or helper uses what it does not declare (LuaAssembly).
   * With the system property {@value #DUMP_PROPERTY} set to a folder, writes each assembled script there.
   */
  static Scripts build(StoreConfig cfg, Function<String, String> read) {
    LuaAssembly assembly = new LuaAssembly(read.apply("lua/lib.lua"), settings(cfg),
        cfg.endpoint().topology() == RedisEndpoint.Topology.CLUSTER);
    Map<Name, Script> m = new EnumMap<>(Name.class);
    for (Name n : Name.values()) {
      String src = assembly.assemble(n.resource(), read.apply(n.resource()));
      m.put(n, new Script(sha1(src), src));
    }
    String dump = System.getProperty(DUMP_PROPERTY);
    if (dump != null && !dump.isBlank()) {
      dump(Path.of(dump), m);
    }
    return new Scripts(m);
  }

  /** System property: a folder that {@link #build} writes every assembled script to (debugging). */
  static final String DUMP_PROPERTY = "emp.lua.dump";

  private static void dump(Path dir, Map<Name, Script> scripts) {
    try {
      Files.createDirectories(dir);
      for (Map.Entry<Name, Script> e : scripts.entrySet()) {
        Files.writeString(dir.resolve(e.getKey().name().toLowerCase(Locale.ROOT) + ".lua"), e.getValue().source());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every script's assembled source (tests, debugging). */
  Map<Name, String> sources() {
    Map<Name, String> out = new EnumMap<>(Name.class);
    scripts.forEach((n, s) -> out.put(n, s.source()));
    return out;
  }

  /** Loads every script so the first calls do not pay for a NOSCRIPT round trip. */
  Future<Void> preload(Redis redis) {
    return Future.all(scripts.values().stream()
            .map(s -> redis.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(s.source())))
            .toList())
        .mapEmpty();
  }

  /** Runs script {@code name} on shard {@code shard} (the shard whose keys it reads and writes). */
  Future<Response> call(Redis redis, RedisKeys shard, Name name, List<String> args) {
    return call(redis::send, shard, name, args);
  }

  /** As {@link #call(Redis, RedisKeys, Name, List)}, on whatever sends: a pooled client or one held connection. */
  Future<Response> call(Function<Request, Future<Response>> send, RedisKeys shard, Name name, List<String> args) {
    Script s = scripts.get(name);
    return send.apply(request(Command.EVALSHA, s.sha(), shard, args))
        .recover(err -> noScript(err)
            ? send.apply(request(Command.EVAL, s.source(), shard, args))
            : Future.failedFuture(err));
  }

  /**
   * Runs a script, then {@code WAIT replicas timeoutMs} on the same connection ({@code WAIT} only counts
   * the writes of the connection it runs on, so both take one connection from the pool). Fewer
   * replicas in time fail the call as unavailable, although the master holds the write: the caller
   * cannot know whether it survives a failover.
   */
  Future<Response> callAndWait(Redis redis, RedisKeys shard, Name name, List<String> args, int replicas,
                               long timeoutMs) {
    return redis.connect().compose(conn -> callAndWait(conn, shard, name, args, replicas, timeoutMs)
        .eventually(conn::close));
  }

  /** As {@link #callAndWait(Redis, RedisKeys, Name, List, int, long)}, on a connection the caller holds. */
  Future<Response> callAndWait(RedisConnection conn, RedisKeys shard, Name name, List<String> args, int replicas,
                               long timeoutMs) {
    return call(conn::send, shard, name, args)
        .compose(r -> conn.send(Request.cmd(Command.WAIT).arg(replicas).arg(timeoutMs)).map(acked -> {
          int got = acked == null ? 0 : acked.toInteger();
          if (got < replicas) {
            throw notReplicated(got, replicas, timeoutMs);
          }
          return r;
        }));
  }

  /** Fewer than {@code replicas} confirmed the writes of a connection in time: the caller cannot know they last. */
  static JobQueueException notReplicated(int got, int replicas, long timeoutMs) {
    return JobQueueException.unavailable("the write reached the Redis master but " + got + " of " + replicas
        + " replicas confirmed it within " + timeoutMs + " ms (queue.store.wait_replicas), so a failover "
        + "now could lose it; retry later (a submit retried with the same job id or idempotency_key "
        + "returns the job if it was kept)");
  }

  /** The EVALSHA of one call, for a caller that pipelines many on one connection ({@link BatchSubmit}). */
  Request evalsha(RedisKeys shard, Name name, List<String> args) {
    return request(Command.EVALSHA, scripts.get(name).sha(), shard, args);
  }

  /** As {@link #evalsha}, sending the whole source (a server that lost its script cache). */
  Request eval(RedisKeys shard, Name name, List<String> args) {
    return request(Command.EVAL, scripts.get(name).source(), shard, args);
  }

  /**
   * Caches the script in Redis: after a NOSCRIPT, one load lets a pipeline's failed calls run again
   * as EVALSHA, instead of each sending the whole source as EVAL.
   */
  Request load(Name name) {
    return Request.cmd(Command.SCRIPT).arg("LOAD").arg(scripts.get(name).source());
  }

  static boolean noScript(Throwable err) {
    return err != null && err.getMessage() != null && err.getMessage().startsWith("NOSCRIPT");
  }

  private static Request request(Command cmd, String scriptOrSha, RedisKeys shard, List<String> args) {
    // One declared key routes the call on Redis Cluster and names the shard (the script's K table
    // builds every other key from its prefix); every key shares its hash tag.
    Request r = Request.cmd(cmd).arg(scriptOrSha).arg(1).arg(shard.events());
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
    return sb.append("}\n").toString();
  }

  /** The final statuses: FINAL.completed = true. */
  static String finals() {
    StringBuilder sb = new StringBuilder("local FINAL = {");
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

  static String read(String resource) {
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
