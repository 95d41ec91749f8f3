package io.emp.jobqueue.queue.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emp.jobqueue.queue.store.RedisEndpoint.Topology;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The three forms of queue.store.redis_url and what the client factory makes of each. */
class RedisEndpointTest {
  @Test
  void aPlainUrlIsOneStandaloneServer() {
    RedisEndpoint e = RedisEndpoint.parse("redis://:secret@cache:6380/2");
    assertThat(e.topology()).isEqualTo(Topology.STANDALONE);
    assertThat(e.nodes()).containsExactly("redis://:secret@cache:6380/2");
    assertThat(e.redacted()).isEqualTo("redis://cache:6380/2");
    RedisOptions o = RedisClients.options(e);
    assertThat(o.getType()).isEqualTo(RedisClientType.STANDALONE);
    assertThat(o.getEndpoints()).containsExactly("redis://:secret@cache:6380/2");
  }

  @Test
  void aSentinelUrlNamesTheSentinelsAndTheMasterAndCarriesCredentialsToEach() {
    RedisEndpoint e = RedisEndpoint.parse("redis-sentinel://u:p%40ss@s1:26379,s2,[::1]:26380/orders-main?db=3");
    assertThat(e.topology()).isEqualTo(Topology.SENTINEL);
    assertThat(e.masterName()).isEqualTo("orders-main");
    assertThat(e.nodes()).containsExactly("redis://u:p%40ss@s1:26379?db=3", "redis://u:p%40ss@s2:26379?db=3",
        "redis://u:p%40ss@[::1]:26380?db=3");
    assertThat(e.redacted()).doesNotContain("p%40ss").startsWith("sentinels redis://s1:26379").endsWith("master orders-main");
    RedisOptions o = RedisClients.options(e);
    assertThat(o.getType()).isEqualTo(RedisClientType.SENTINEL);
    assertThat(o.getRole()).isEqualTo(RedisRole.MASTER);
    assertThat(o.getMasterName()).isEqualTo("orders-main");
    assertThat(o.getEndpoints()).hasSize(3);
    assertThat(RedisEndpoint.parse("rediss-sentinel://h/m").nodes()).containsExactly("rediss://h:26379");
  }

  @Test
  void aClusterUrlListsSeedNodes() {
    RedisEndpoint e = RedisEndpoint.parse("redis-cluster://c1:7000,c2:7001,c3");
    assertThat(e.topology()).isEqualTo(Topology.CLUSTER);
    assertThat(e.nodes()).containsExactly("redis://c1:7000", "redis://c2:7001", "redis://c3:6379");
    assertThat(RedisClients.options(e).getType()).isEqualTo(RedisClientType.CLUSTER);
  }

  @Test
  void badUrlsAreRefusedWithoutRepeatingThem() {
    for (String bad : List.of("http://x:1", "redis-sentinel://:pw@h1,h2", "redis-sentinel://:pw@h1/", "redis-cluster://:pw@h1/0",
        "redis-sentinel://:pw@h1,,h2/m", "redis-sentinel://:pw@h1:notaport/m", "nothing")) {
      assertThatThrownBy(() -> RedisEndpoint.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageNotContaining("pw").hasMessageContaining("redis-sentinel://host1:26379");
    }
  }

  @Test
  void waitReplicasIsOffByDefaultAndValidated() {
    StoreConfig d = StoreConfig.defaults("redis-sentinel://a,b,c/m");
    assertThat(d.waitReplicas()).isEqualTo(StoreConfig.DEFAULT_WAIT_REPLICAS).isZero();
    assertThat(d.waitTimeoutMs()).isEqualTo(StoreConfig.DEFAULT_WAIT_TIMEOUT_MS);
    StoreConfig on = StoreConfig.from(new JsonObject()
        .put("redis_url", "redis://h:1").put("wait_replicas", 1).put("wait_timeout_ms", 250));
    assertThat(on.waitReplicas()).isEqualTo(1);
    assertThat(on.waitTimeoutMs()).isEqualTo(250);
    assertThatThrownBy(() -> d.withWaitReplicas(-1, 100)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> d.withWaitReplicas(1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StoreConfig.defaults("redis-sentinel://a,b")).isInstanceOf(IllegalArgumentException.class);
    // on a cluster the store sends each WAIT on the shard master's own connection (ShardMasters)
    assertThat(StoreConfig.defaults("redis-cluster://a,b").withWaitReplicas(1, 100).waitReplicas()).isEqualTo(1);
  }
}
