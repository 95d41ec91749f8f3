package io.emp.jobqueue.queue.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emp.jobqueue.core.model.JobSpec;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The shard layout: which tag, slot and shard each key and job gets (no Redis needed). */
class ShardsTest {
  static StoreConfig cfg(int shards) {
    return StoreConfig.defaults("redis-cluster://127.0.0.1:7000").withNamespace("emp").withShards(shards);
  }

  @Test
  void oneShardIsTheNamespacesOwnTagAsBeforeSharding() {
    List<RedisKeys> one = cfg(1).shardKeys();
    assertThat(one).hasSize(1);
    assertThat(one.get(0).job("j1")).isEqualTo("{emp}:job:j1");
    assertThat(new Shards(cfg(1)).control().prefix()).isEqualTo("{emp}:");
  }

  @Test
  void manyShardsEachGetTheirPartOfTheSlotRangeSoEvenlySplitMastersHoldEvenShares() {
    for (int n : List.of(2, 3, 6, 16, 64)) {
      List<RedisKeys> shards = cfg(n).shardKeys();
      assertThat(shards).hasSize(n);
      for (int k = 0; k < n; k++) {
        int slot = shards.get(k).slot();
        assertThat((long) slot * n / ClusterSlots.SLOTS).as("shard %d of %d", k, n).isEqualTo(k);
        assertThat(shards.get(k).prefix()).matches("\\{emp@\\d+\\}:");
        assertThat(ClusterSlots.slot(shards.get(k).job("x"))).isEqualTo(slot);
      }
      // the same on every node: a pure function of (namespace, n)
      assertThat(cfg(n).shardKeys()).extracting(RedisKeys::prefix)
          .containsExactlyElementsOf(shards.stream().map(RedisKeys::prefix).toList());
    }
  }

  @Test
  void channelsAndControlKeysAreSharedWhileJobKeysArePerShard() {
    List<RedisKeys> shards = cfg(4).shardKeys();
    assertThat(shards).extracting(k -> k.wake("sim")).containsOnly("{emp}:wake:sim");
    assertThat(shards).extracting(k -> k.pending("sim")).doesNotHaveDuplicates();
    String table = RedisKeys.luaKeyTable("K.wake(svc) K.job(id)");
    assertThat(table).contains("local B = (string.gsub(P, '@%d+}', '}'))", "K.wake = function(a1) return B .. 'wake:' .. a1 end",
        "K.job = function(a1) return P .. 'job:' .. a1 end");
  }

  @Test
  void aStoreMadeIdLandsOnTheShardOfItsIdempotencyKeyOrWorkflow() {
    Shards s = new Shards(cfg(8));
    IntStream.range(0, 50).forEach(i -> {
      String idem = "key-" + i;
      String id = s.idFor(JobSpec.of("sim", 50, new JsonObject()).withIdempotencyKey(idem));
      assertThat(s.index(id)).isEqualTo(s.index(idem));
      String step = s.idFor(JobSpec.of("sim", 50, new JsonObject()).withWorkflow("wf-" + i, null, null, 1, 2));
      assertThat(s.index(step)).isEqualTo(s.index("wf-" + i));
    });
    assertThat(s.idFor(JobSpec.of("sim", 50, new JsonObject()).withId("mine"))).isEqualTo("mine");
    assertThat(s.of("mine")).isSameAs(s.of("mine"));
  }

  @Test
  void spanAttributesNameTheShardTagAsAPlaceholderWhenThereAreMany() {
    assertThat(new Shards(cfg(1)).pattern(k -> k.pending("comfyui"))).isEqualTo("{emp}:pending:comfyui");
    assertThat(new Shards(cfg(6)).pattern(k -> k.job("{job_id}"))).isEqualTo("{emp@<shard>}:job:{job_id}");
  }

  @Test
  void aShardCountOutsideTheRangeIsRefused() {
    assertThatThrownBy(() -> cfg(0)).hasMessageContaining("shards must be within 1..1024");
    assertThatThrownBy(() -> cfg(RedisKeys.MAX_SHARDS + 1)).hasMessageContaining("shards must be within");
  }
}
