package io.emp.jobqueue.queue.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Machine and worker registrations: a hash per machine/worker that expires unless heartbeats
 * renew it, and a sorted set (id -> last heartbeat ms) per kind for listing. Monitors treat an id
 * whose hash has expired as gone, so a machine that dies without unregistering disappears by itself.
 * The machine hash names the instance (one process run) that holds the id; register, heartbeat and
 * unregister are scripts that act only for that instance, so two processes can never share a machine
 * id unnoticed.
 */
public final class MachineRegistry {
  /** What a heartbeat found. */
  public enum Beat {
    /** Renewed. */
    ALIVE,
    /** The registration had expired: register again. */
    GONE,
    /** Another instance holds the machine id now. */
    TAKEN
  }

  private final JobStore store;
  private final Redis redis;
  private final RedisKeys keys;

  private MachineRegistry(JobStore store) {
    this.store = store;
    this.redis = store.redis();
    this.keys = store.keys();
  }

  public static MachineRegistry of(JobStore store) {
    return new MachineRegistry(store);
  }

  /**
   * Writes (replaces) the machine's and its workers' registrations, all expiring after {@code ttlMs},
   * and records {@code instance} as the holder of the machine id. Fails with
   * {@link MachineIdTakenException} when a registration of another instance is still live (its TTL has
   * not run out), and then writes nothing.
   */
  public Future<Void> register(String machineId, String instance, Map<String, String> machine,
                               Map<String, Map<String, String>> workers, long ttlMs, long nowMs) {
    JsonObject w = new JsonObject();
    workers.forEach((id, fields) -> w.put(id, new JsonObject(new java.util.LinkedHashMap<>(fields))));
    return store.call(keys, Scripts.Name.MACHINE_REGISTER, List.of("", machineId, instance, Long.toString(ttlMs),
        Long.toString(nowMs), new JsonObject(new java.util.LinkedHashMap<>(machine)).encode(), w.encode()))
        .map(r -> {
          if ("TAKEN".equals(r.get(0).toString())) {
            String beat = r.get(2).toString();
            throw new MachineIdTakenException(machineId, r.get(1).toString(),
                beat.isEmpty() ? null : Long.valueOf(beat), r.get(3).toLong());
          }
          return null;
        });
  }

  /**
   * Renews the TTLs and heartbeat scores, and merges {@code machineFields} (e.g. status) into the
   * machine hash, if {@code instance} still holds the registration.
   */
  public Future<Beat> heartbeat(String machineId, String instance, List<String> workerIds,
                                Map<String, String> machineFields, long ttlMs, long nowMs) {
    return heartbeat(machineId, instance, workerIds, machineFields, Map.of(), ttlMs, nowMs);
  }

  /**
   * As above, also merging {@code workerFields} (worker id -> fields: status, current job) into the
   * registrations of those workers that are still registered.
   */
  public Future<Beat> heartbeat(String machineId, String instance, List<String> workerIds,
                                Map<String, String> machineFields, Map<String, Map<String, String>> workerFields,
                                long ttlMs, long nowMs) {
    JsonObject w = new JsonObject();
    workerFields.forEach((id, fields) -> w.put(id, new JsonObject(new java.util.LinkedHashMap<>(fields))));
    List<String> args = new ArrayList<>(List.of("", machineId, instance, Long.toString(ttlMs), Long.toString(nowMs),
        new JsonObject(new java.util.LinkedHashMap<>(machineFields)).encode(), w.encode()));
    args.addAll(workerIds);
    return store.call(keys, Scripts.Name.MACHINE_HEARTBEAT, args).map(r -> switch (r.toString()) {
      case "OK" -> Beat.ALIVE;
      case "GONE" -> Beat.GONE;
      default -> Beat.TAKEN;
    });
  }

  /**
   * Removes the machine and its workers (clean shutdown); does nothing when another instance holds
   * the machine id (a machine refused as a duplicate must not unregister the one that runs).
   */
  public Future<Void> unregister(String machineId, String instance, List<String> workerIds) {
    List<String> args = new ArrayList<>(List.of("", machineId, instance));
    args.addAll(workerIds);
    return store.call(keys, Scripts.Name.MACHINE_UNREGISTER, args).mapEmpty();
  }

  /**
   * Marks a registered machine to drain (its workers stop claiming and finish what they run). The
   * mark lives in the machine's registration, so a machine that restarts registers afresh without
   * it. Answers false when no such machine is registered.
   */
  public Future<Boolean> requestDrain(String machineId, String requestedBy, long nowMs) {
    return store.call(keys, Scripts.Name.MACHINE_DRAIN, List.of("", machineId, requestedBy == null ? "" : requestedBy,
        Long.toString(nowMs))).map(r -> r.toInteger() == 1);
  }

  /** Whether a drain was requested for the machine (see {@link #requestDrain}). */
  public Future<Boolean> drainRequested(String machineId) {
    return redis.send(Request.cmd(Command.HGET).arg(keys.machine(machineId)).arg(DRAIN_FIELD))
        .map(r -> r != null && !r.toString().isEmpty());
  }

  /** Field of the machine hash set by {@link #requestDrain} (machine_drain.lua): when (ms) the drain was asked for. */
  public static final String DRAIN_FIELD = "drain_requested_at";

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

  /** Every live machine's registration (ids whose registration expired are left out), by machine id. */
  public Future<List<JsonObject>> machines() {
    return all(keys.machines(), keys::machine);
  }

  /** Every live worker's registration, by worker id. */
  public Future<List<JsonObject>> workers() {
    return all(keys.workers(), keys::worker);
  }

  /**
   * The ids in {@code set} (scored by last heartbeat) and their hashes, read in one batch; an id whose
   * hash has expired is dropped from the set on the way (it died without unregistering).
   */
  private Future<List<JsonObject>> all(String set, java.util.function.Function<String, String> key) {
    return redis.send(Request.cmd(Command.ZRANGE).arg(set).arg(0).arg(-1)).compose(ids -> {
      List<String> list = new ArrayList<>();
      ids.forEach(x -> list.add(x.toString()));
      if (list.isEmpty()) {
        return Future.succeededFuture(List.<JsonObject>of());
      }
      List<Request> reads = list.stream().map(id -> Request.cmd(Command.HGETALL).arg(key.apply(id))).toList();
      return redis.batch(reads).map(rs -> {
        List<JsonObject> out = new ArrayList<>();
        List<String> gone = new ArrayList<>();
        for (int i = 0; i < rs.size(); i++) {
          JsonObject j = flat(rs.get(i));
          if (j.isEmpty()) {
            gone.add(list.get(i));
          } else {
            out.add(j.put("_id", list.get(i)));
          }
        }
        if (!gone.isEmpty()) {
          Request zrem = Request.cmd(Command.ZREM).arg(set);
          gone.forEach(zrem::arg);
          redis.send(zrem);
        }
        return out;
      });
    });
  }

  /** A RESP2 HGETALL answer (a flat field, value, field, value array) as an object. */
  private static JsonObject flat(Response r) {
    JsonObject j = new JsonObject();
    if (r == null) {
      return j;
    }
    for (int i = 0; i + 1 < r.size(); i += 2) {
      j.put(r.get(i).toString(), r.get(i + 1).toString());
    }
    return j;
  }

  private Future<JsonObject> hgetall(String key) {
    return redis.send(Request.cmd(Command.HGETALL).arg(key)).map(MachineRegistry::flat);
  }
}
