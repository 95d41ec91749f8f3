package io.emp.jobqueue.queue.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.emp.jobqueue.core.model.JobSpec;
import io.emp.jobqueue.core.model.WorkerCapabilities;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.Test;

/**
 * A sharded store on one server (the shards are tags; a single server holds every slot): a claim asks
 * the shard it was told has work first, so a quiet system pays one script call per claim, not one per
 * empty shard; and a claim that was told nothing still finds the job.
 */
class ShardedClaimTest extends StoreTestSupport {
  static final int SHARDS = 8;
  static final WorkerCapabilities W = WorkerCapabilities.of("w1", "sim");

  @Override
  StoreConfig config() {
    return super.config().withShards(SHARDS);
  }

  long claimCalls(Runnable claim) {
    redis(Request.cmd(Command.CONFIG).arg("RESETSTAT"));
    claim.run();
    String stats = redis(Request.cmd(Command.INFO).arg("commandstats")).toString();
    return stats.lines().filter(l -> l.startsWith("cmdstat_evalsha:")).mapToLong(l -> Long.parseLong(
        l.substring(l.indexOf("calls=") + 6, l.indexOf(',', l.indexOf("calls="))))).sum();
  }

  @Test
  void aClaimAsksTheShardItWasToldAboutFirstAndStillFindsWhatItWasNotToldAbout() {
    JobStore other = get(JobStore.connect(vertx, store.config()));
    try {
      java.util.Set<RedisKeys> shardsSeen = new java.util.HashSet<>();
      for (int i = 0; i < 20; i++) {
        String id = get(store.submit(JobSpec.of("sim", 50, new JsonObject()))).jobId();
        shardsSeen.add(store.shards().of(id));
        // the submitting store knows the job's shard: one call
        assertThat(claimCalls(() -> assertThat(get(store.claim(W, 10, 60_000)).job().orElseThrow().job().id())
            .isEqualTo(id))).isEqualTo(1);
      }
      assertThat(shardsSeen).hasSizeGreaterThan(1);
      for (int i = 0; i < 20; i++) {
        String next = get(store.submit(JobSpec.of("sim", 50, new JsonObject()))).jobId();
        // another node's store learns it from the wake channel's payload (the job id)
        other.hintWork(next);
        assertThat(claimCalls(() -> assertThat(get(other.claim(W, 10, 60_000)).job().orElseThrow().job().id())
            .isEqualTo(next))).isEqualTo(1);
      }
      // told nothing: it asks shard after shard and still finds the job
      String unseen = get(store.submit(JobSpec.of("sim", 50, new JsonObject()))).jobId();
      JobStore blind = get(JobStore.connect(vertx, store.config()));
      try {
        assertThat(get(blind.claim(W, 10, 60_000)).job().orElseThrow().job().id()).isEqualTo(unseen);
        assertThat(claimCalls(() -> assertThat(get(blind.claim(W, 10, 60_000)).job()).isEmpty()))
            .as("an empty store: every shard asked").isEqualTo(SHARDS);
      } finally {
        get(blind.close());
      }
    } finally {
      get(other.close());
    }
  }
}
