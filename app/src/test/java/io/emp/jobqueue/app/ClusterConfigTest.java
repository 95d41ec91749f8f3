package io.emp.jobqueue.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import com.hazelcast.config.TcpIpConfig;
import io.emp.jobqueue.app.NodeConfig.Role;
import io.emp.jobqueue.core.config.ConfigException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Roles and the "cluster" section as the launcher reads them, and the Hazelcast settings made from them. */
class ClusterConfigTest {
  @TempDir
  Path tmp;

  /** With the repository's machine profiles (the machine role loads one); {@code --config} files add to it. */
  NodeConfig load(Map<String, String> env, String... args) {
    Map<String, String> withProfiles = new java.util.HashMap<>(env);
    withProfiles.putIfAbsent("EMP_CONFIG", profiles().toString());
    return NodeConfig.load(Flags.parse(args), withProfiles, tmp);
  }

  Path profiles() {
    try {
      return Files.writeString(tmp.resolve("profiles.json"), new JsonObject().put("machine", new JsonObject()
          .put("profiles_dir", NodeConfigTest.REPO.resolve("conf/machines").toString())).encode());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  Path write(String name, String json) throws IOException {
    JsonObject j = new JsonObject(json);
    j.put("machine", new JsonObject().put("profiles_dir", NodeConfigTest.REPO.resolve("conf/machines").toString()));
    return Files.writeString(tmp.resolve(name), j.encode());
  }

  @Test
  void rolesCombine() {
    assertThat(load(Map.of(), "--roles", "api,queue").roles()).containsExactly(Role.API, Role.QUEUE);
    assertThat(load(Map.of(), "--roles", " machine , api ").roles()).containsExactly(Role.API, Role.MACHINE);
    assertThat(load(Map.of(), "--roles", "all").roles()).containsExactly(Role.API, Role.QUEUE, Role.MACHINE);
    assertThat(load(Map.of("EMP_ROLES", "queue")).roles()).containsExactly(Role.QUEUE);
    assertThatThrownBy(() -> load(Map.of(), "--roles", "api,worker"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("--roles must be all, or a comma-separated list of api, queue and machine (e.g. api,queue), "
            + "got 'api,worker'");
  }

  @Test
  void anApiNodeRunsItsOwnQueueUnlessItIsInACluster() {
    assertThat(load(Map.of(), "--roles", "api").runsQueue()).isTrue();
    assertThat(load(Map.of(), "--roles", "api", "--cluster").runsQueue()).isFalse();
    assertThat(load(Map.of(), "--roles", "api,queue", "--cluster").runsQueue()).isTrue();
    assertThat(load(Map.of(), "--roles", "all", "--cluster").runsQueue()).isTrue();
    assertThat(load(Map.of("REDIS_URL", "redis://r:6379"), "--roles", "machine").runsQueue()).isFalse();
  }

  @Test
  void clusterSettingsComeFromTheEnvironmentAndNameTheClusterAfterTheNamespace() {
    ClusterConfig off = load(Map.of()).cluster();
    assertThat(off.enabled()).isFalse();
    assertThat(off.name()).isEqualTo("emp-emp");
    assertThat(off.members()).containsExactly("127.0.0.1");
    assertThat(off.port()).isEqualTo(ClusterConfig.DEFAULT_PORT);

    ClusterConfig on = load(Map.of("EMP_CLUSTER", "1", "EMP_NAMESPACE", "prod", "EMP_CLUSTER_MEMBERS",
        "10.0.0.1:5701, 10.0.0.2", "EMP_CLUSTER_HOST", "10.0.0.3", "EMP_CLUSTER_PORT", "5801",
        "EMP_CLUSTER_BUS_PORT", "5802")).cluster();
    assertThat(on.enabled()).isTrue();
    assertThat(on.name()).isEqualTo("emp-prod");
    assertThat(on.members()).containsExactly("10.0.0.1:5701", "10.0.0.2");
    assertThat(on.host()).isEqualTo("10.0.0.3");
    assertThat(on.port()).isEqualTo(5801);
    assertThat(on.busPort()).isEqualTo(5802);
    assertThat(load(Map.of("EMP_CLUSTER_NAME", "blue")).cluster().name()).isEqualTo("blue");
    assertThat(load(Map.of("EMP_CLUSTER", "off"), "--cluster").cluster().enabled()).as("the flag wins").isTrue();
  }

  @Test
  void clusterKeysAreCheckedLikeEveryOther() throws IOException {
    assertThatThrownBy(() -> load(Map.of("EMP_CLUSTER", "maybe")))
        .hasMessage("EMP_CLUSTER must be 1 or 0 (true/false, on/off), got 'maybe'");
    assertThatThrownBy(() -> load(Map.of(), "--config", write("a.json", "{\"cluster\": {\"prot\": 5701}}").toString()))
        .hasMessage("unknown config key cluster.prot (did you mean cluster.port?)");
    assertThatThrownBy(() -> load(Map.of(), "--config", write("b.json", "{\"cluster\": {\"members\": 5}}").toString()))
        .hasMessageContaining("cluster.members: expected a list of host[:port]");
    assertThatThrownBy(() -> load(Map.of("EMP_CLUSTER_PORT", "0")))
        .hasMessageContaining("cluster.port must be within 1..65535");
    NodeConfig every = load(Map.of(), "--config", write("c.json", new JsonObject().put("cluster", new JsonObject()
        .put("enabled", false).put("name", "n").put("host", "127.0.0.1").put("port", 5701)
        .put("members", List.of("127.0.0.1:5701")).put("bus_port", 0).put("member_timeout_ms", 5000)
        .put("request_attempt_timeout_ms", 1000).put("config_file", "conf/cluster.xml")).encode()).toString());
    assertThat(every.cluster().memberTimeoutMs()).isEqualTo(5000);
    assertThat(every.cluster().requestAttemptTimeoutMs()).isEqualTo(1000);
  }

  @Test
  void theShippedClusterXmlIsValidAndTheNodesSettingsGoOnTop() {
    ClusterConfig cc = new ClusterConfig(true, "it-cluster", "127.0.0.1", 5911, List.of("127.0.0.1:5911",
        "127.0.0.1:5912"), 0, 4_000, 1_000, "conf/cluster.xml");
    Path repo = NodeConfigTest.REPO;
    Config hz = Clustering.hazelcastConfig(cc, repo);
    assertThat(hz.getClusterName()).isEqualTo("it-cluster");
    assertThat(hz.getNetworkConfig().getPort()).isEqualTo(5911);
    assertThat(hz.getNetworkConfig().getInterfaces().isEnabled()).isTrue();
    assertThat(hz.getNetworkConfig().getInterfaces().getInterfaces()).containsExactly("127.0.0.1");
    assertThat(hz.getNetworkConfig().getJoin().getMulticastConfig().isEnabled()).isFalse();
    TcpIpConfig tcp = hz.getNetworkConfig().getJoin().getTcpIpConfig();
    assertThat(tcp.isEnabled()).isTrue();
    assertThat(tcp.getMembers()).containsExactly("127.0.0.1:5911", "127.0.0.1:5912");
    assertThat(hz.getProperty("hazelcast.wait.seconds.before.join")).isEqualTo("0");
    assertThat(hz.getProperty("hazelcast.max.no.heartbeat.seconds")).isEqualTo("4");
    // from the file: Vert.x's structures keep a backup, usage statistics stay home
    assertThat(hz.getMultiMapConfig("__vertx.subs").getBackupCount()).isEqualTo(1);
    assertThat(hz.getProperty("hazelcast.phone.home.enabled")).isEqualTo("false");
  }

  @Test
  void aBrokenClusterXmlIsOneLineThatNamesIt() throws IOException {
    Files.createDirectories(tmp.resolve("conf"));
    Files.writeString(tmp.resolve("conf/cluster.xml"), "<hazelcast><network><port>x</port></network></hazelcast>");
    ClusterConfig cc = load(Map.of("EMP_CLUSTER", "1")).cluster();
    assertThatThrownBy(() -> Clustering.hazelcastConfig(cc, tmp)).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("invalid cluster config " + tmp.resolve("conf/cluster.xml"));
  }

  @Test
  void aMembersEntryMetadataNamesItsRolesAndPorts() {
    JsonObject m = ClusterMembers.metadata(new NodeConfig(Set.of(Role.MACHINE, Role.API), new JsonObject()
        .put("gateway", new JsonObject().put("port", "9001")).put("machine", new JsonObject().put("machine_id", "gpu-7")),
        tmp), 1234);
    assertThat(m.getJsonArray("roles").getList()).containsExactly("api", "machine");
    assertThat(m.getInteger("http_port")).isEqualTo(9001);
    assertThat(m.getString("machine_id")).isEqualTo("gpu-7");
    assertThat(m.getLong("joined_at")).isEqualTo(1234);
  }
}
