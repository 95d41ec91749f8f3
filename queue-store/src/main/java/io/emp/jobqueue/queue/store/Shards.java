package io.emp.jobqueue.queue.store;

import io.emp.jobqueue.core.model.JobSpec;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * Which shard holds what (docs/redis.md, "Sharding"). A job lives on the shard its id hashes to, so any
 * node finds it from the id alone. A store-generated id is drawn so that it hashes to the shard of the
 * job's idempotency key or workflow, when it has one: the key's record and the workflow's list of steps
 * are then written by the same script as the job. The control keys (machines, workers, monitor stream)
 * have their own tag; with one shard it is the shard's.
 */
public final class Shards {
  private final List<RedisKeys> all;
  private final RedisKeys control;

  public Shards(StoreConfig cfg) {
    this.all = cfg.shardKeys();
    this.control = new RedisKeys(cfg.namespace());
  }

  /** Every shard, in shard order. */
  public List<RedisKeys> all() {
    return all;
  }

  public int count() {
    return all.size();
  }

  /** The keys that are not per shard: machines, workers, the monitor stream. */
  public RedisKeys control() {
    return control;
  }

  public RedisKeys of(String jobId) {
    return all.get(index(jobId));
  }

  int index(String routing) {
    return all.size() == 1 ? 0 : ClusterSlots.crc16(routing.getBytes(StandardCharsets.UTF_8)) % all.size();
  }

  /**
   * A key as span attributes name it before the job's shard is known: the key itself with one shard,
   * else with the tag written {@code {ns@<shard>}} (e.g. {@code {emp@<shard>}:pending:comfyui}).
   */
  public String pattern(java.util.function.Function<RedisKeys, String> key) {
    String k = key.apply(control);
    return all.size() == 1 ? k : k.replaceFirst("^\\{([^}]*)\\}", "{$1@<shard>}");
  }

  /** The id for a job: the client's, or a fresh UUID on the shard of its idempotency key or workflow. */
  String idFor(JobSpec spec) {
    if (spec.id() != null) {
      return spec.id();
    }
    String id = UUID.randomUUID().toString();
    String routing = spec.idempotencyKey() != null ? spec.idempotencyKey() : spec.workflowId();
    if (all.size() > 1 && routing != null) {
      // about n draws on average: a UUID lands on each shard with probability 1/n
      int want = index(routing);
      while (index(id) != want) {
        id = UUID.randomUUID().toString();
      }
    }
    return id;
  }

  /** {@code call} on every shard at once; the answers in shard order. Fails when any shard's call fails. */
  <T> Future<List<T>> onEach(Function<RedisKeys, Future<T>> call) {
    if (all.size() == 1) {
      return call.apply(all.get(0)).map(List::of);
    }
    List<Future<T>> calls = new ArrayList<>(all.size());
    all.forEach(s -> calls.add(call.apply(s)));
    return Future.all(calls).map(cf -> cf.<T>list());
  }

  /** The sum of a count over every shard. */
  Future<Integer> sum(Function<RedisKeys, Future<Integer>> count) {
    return onEach(count).map(l -> l.stream().mapToInt(Integer::intValue).sum());
  }
}
