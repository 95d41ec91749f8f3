package io.emp.jobqueue.queue.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Machine and worker registrations: a hash per machine/worker that expires unless heartbeats
 * renew it, and a sorted set (id -> last heartbeat ms) per kind for listing. Monitors treat an id
 * whose hash has expired as gone, so a machine that dies without unregistering disappears by itself.
 */
public final class MachineRegistry {
  private final Redis redis;
  private final RedisKeys keys;

  public MachineRegistry(Redis redis, RedisKeys keys) {
    this.redis = redis;
    this.keys = keys;
  }

  public static MachineRegistry of(JobStore store) {
    return new MachineRegistry(store.redis(), store.keys());
  }

  /** Writes (replaces) the machine's and its workers' registrations, all expiring after {@code ttlMs}. */
  public Future<Void> register(String machineId, Map<String, String> machine, Map<String, Map<String, String>> workers,
                               long ttlMs, long nowMs) {
    List<Request> batch = new ArrayList<>();
    batch.add(Request.cmd(Command.DEL).arg(keys.machine(machineId)));
    batch.add(hset(keys.machine(machineId), machine));
    batch.add(Request.cmd(Command.PEXPIRE).arg(keys.machine(machineId)).arg(ttlMs));
    batch.add(Request.cmd(Command.ZADD).arg(keys.machines()).arg(nowMs).arg(machineId));
    workers.forEach((id, fields) -> {
      batch.add(Request.cmd(Command.DEL).arg(keys.worker(id)));
      batch.add(hset(keys.worker(id), fields));
      batch.add(Request.cmd(Command.PEXPIRE).arg(keys.worker(id)).arg(ttlMs));
      batch.add(Request.cmd(Command.ZADD).arg(keys.workers()).arg(nowMs).arg(id));
    });
    return redis.batch(batch).mapEmpty();
  }

  /**
   * Renews the TTLs and heartbeat scores, and merges {@code machineFields} (e.g. status) into the
   * machine hash. Answers false when the machine hash had already expired (the caller re-registers).
   */
  public Future<Boolean> heartbeat(String machineId, List<String> workerIds, Map<String, String> machineFields,
                                   long ttlMs, long nowMs) {
    List<Request> batch = new ArrayList<>();
    batch.add(Request.cmd(Command.PEXPIRE).arg(keys.machine(machineId)).arg(ttlMs));
    if (!machineFields.isEmpty()) {
      batch.add(hset(keys.machine(machineId), machineFields));
      // HSET on an expired key recreated it without TTL: set it again.
      batch.add(Request.cmd(Command.PEXPIRE).arg(keys.machine(machineId)).arg(ttlMs));
    }
    batch.add(Request.cmd(Command.ZADD).arg(keys.machines()).arg(nowMs).arg(machineId));
    for (String w : workerIds) {
      batch.add(Request.cmd(Command.PEXPIRE).arg(keys.worker(w)).arg(ttlMs));
      batch.add(Request.cmd(Command.ZADD).arg(keys.workers()).arg(nowMs).arg(w));
    }
    return redis.batch(batch).map(r -> r.get(0).toInteger() == 1);
  }

  /** Removes the machine and its workers (clean shutdown). */
  public Future<Void> unregister(String machineId, List<String> workerIds) {
    List<Request> batch = new ArrayList<>();
    batch.add(Request.cmd(Command.DEL).arg(keys.machine(machineId)));
    batch.add(Request.cmd(Command.ZREM).arg(keys.machines()).arg(machineId));
    for (String w : workerIds) {
      batch.add(Request.cmd(Command.DEL).arg(keys.worker(w)));
      batch.add(Request.cmd(Command.ZREM).arg(keys.workers()).arg(w));
    }
    return redis.batch(batch).mapEmpty();
  }

  /**
   * Marks a registered machine to drain (its workers stop claiming and finish what they run). The
   * mark lives in the machine's registration, so a machine that restarts registers afresh without
   * it. Answers false when no such machine is registered.
   */
  public Future<Boolean> requestDrain(String machineId, String requestedBy, long nowMs) {
    return redis.send(Request.cmd(Command.EVAL).arg(DRAIN_SCRIPT).arg(1).arg(keys.machine(machineId))
        .arg(Long.toString(nowMs)).arg(requestedBy == null ? "" : requestedBy)).map(r -> r.toInteger() == 1);
  }

  /** Whether a drain was requested for the machine (see {@link #requestDrain}). */
  public Future<Boolean> drainRequested(String machineId) {
    return redis.send(Request.cmd(Command.HGET).arg(keys.machine(machineId)).arg(DRAIN_FIELD))
        .map(r -> r != null && !r.toString().isEmpty());
  }

  /** Field of the machine hash set by {@link #requestDrain}: when (ms) the drain was asked for. */
  public static final String DRAIN_FIELD = "drain_requested_at";

  // only an existing registration is marked: HSET alone would recreate an expired one without a TTL
  private static final String DRAIN_SCRIPT = "if redis.call('EXISTS', KEYS[1]) == 1 then "
      + "redis.call('HSET', KEYS[1], '" + DRAIN_FIELD + "', ARGV[1], 'drain_requested_by', ARGV[2]) "
      + "return 1 end return 0";

  /** The machine's registration, or an empty object when absent or expired. */
  public Future<JsonObject> machine(String machineId) {
    return hgetall(keys.machine(machineId));
  }

  public Future<JsonObject> worker(String workerId) {
    return hgetall(keys.worker(workerId));
  }

  /** Ids in the machines set (including ones whose registration may have expired since). */
  public Future<List<String>> machineIds() {
    return redis.send(Request.cmd(Command.ZRANGE).arg(keys.machines()).arg(0).arg(-1))
        .map(r -> {
          List<String> out = new ArrayList<>();
          r.forEach(x -> out.add(x.toString()));
          return out;
        });
  }

  private Future<JsonObject> hgetall(String key) {
    return redis.send(Request.cmd(Command.HGETALL).arg(key)).map(r -> {
      JsonObject j = new JsonObject();
      if (r == null) {
        return j;
      }
      // JobStore speaks RESP2: HGETALL is a flat field, value, field, value array.
      for (int i = 0; i + 1 < r.size(); i += 2) {
        j.put(r.get(i).toString(), r.get(i + 1).toString());
      }
      return j;
    });
  }

  private static Request hset(String key, Map<String, String> fields) {
    Request r = Request.cmd(Command.HSET).arg(key);
    fields.forEach((k, v) -> r.arg(k).arg(v == null ? "" : v));
    return r;
  }
}
