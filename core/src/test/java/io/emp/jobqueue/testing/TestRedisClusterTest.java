package io.emp.jobqueue.testing;

import static io.emp.jobqueue.testing.TestSentinels.command;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The cluster fixture itself: keys land on their slot's master, a slot moves with its keys, a replica takes over. */
class TestRedisClusterTest {

  @Test
  void keysFollowTheirSlotThroughAMoveAndAFailover() throws Exception {
    try (TestRedisCluster cluster = TestRedisCluster.start(3, 1)) {
      List<Integer> masters = cluster.masterPorts();
      assertThat(masters).hasSize(3);
      assertThat(cluster.livePorts()).hasSize(6);
      assertThat(cluster.url()).startsWith("redis-cluster://127.0.0.1:").contains("," + "127.0.0.1:" + masters.get(2));

      Map<String, Integer> owner = new HashMap<>();
      for (int i = 0; i < 200; i++) {
        String key = "k" + i;
        int port = cluster.portOfSlot(cluster.slot(key));
        assertThat(command(port, "SET", key, "v" + i)).isEqualTo("OK");
        owner.put(key, port);
      }
      assertThat(cluster.slot("{user1}.a")).isEqualTo(cluster.slot("{user1}.b"));

      int slot = cluster.slot("k0");
      int from = owner.get("k0");
      int to = masters.stream().filter(p -> p != from).findFirst().orElseThrow();
      cluster.moveSlot(slot, to);
      assertThat(cluster.portOfSlot(slot)).isEqualTo(to);
      assertThat(command(to, "GET", "k0")).isEqualTo("v0");
      assertThat((String) command(from, "GET", "k0")).startsWith("-MOVED " + slot + " 127.0.0.1:" + to);
      owner.put("k0", to);

      // nothing is written during the kill, so once the replica confirmed it holds all the master had
      assertThat((Long) command(to, "WAIT", "1", "1000")).isEqualTo(1L);
      cluster.kill(to);
      int promoted = cluster.awaitFailover(to);
      assertThat(promoted).isNotEqualTo(to);
      assertThat(cluster.masterPorts()).contains(promoted).doesNotContain(to).hasSize(3);
      assertThat(cluster.portOfSlot(slot)).isEqualTo(promoted);
      List<String> keysOfDead = owner.entrySet().stream().filter(e -> e.getValue() == to).map(Map.Entry::getKey).toList();
      assertThat(keysOfDead).contains("k0").hasSizeGreaterThan(1);
      for (String key : keysOfDead) {
        assertThat(command(promoted, "GET", key)).isEqualTo("v" + key.substring(1));
      }
    }
  }
}
