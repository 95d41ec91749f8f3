package io.emp.jobqueue.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emp.jobqueue.core.config.ConfigException;
import io.emp.jobqueue.core.telemetry.Version;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's configuration: layers, the one check of the merged tree, the sampling default, flags. */
class NodeConfigTest {
  @TempDir
  Path tmp;

  /** The repository root: conf/emp.json is the default file there. */
  static final Path REPO = DocumentedTraceTest.conf("emp.json").toAbsolutePath().getParent().getParent().normalize();

  // ---- the shipped files pass the check ---------------------------------------------------------

  @Test
  void theShippedConfigPassesWithEveryMachineProfile() throws IOException {
    List<String> profiles;
    try (Stream<Path> files = Files.list(REPO.resolve("conf/machines"))) {
      profiles = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".json"))
          .map(n -> n.substring(0, n.length() - ".json".length())).sorted().toList();
    }
    assertThat(profiles).contains("base", "sim-test-local-dev", "comfyui-local", "openai");
    for (String profile : profiles) {
      // profiles_dir made absolute only because Maven runs this test from app/
      NodeConfig cfg = load(REPO, Map.of("EMP_MACHINE_PROFILE", profile), "--roles", "all", "--config",
          write("machines-dir.json", "{\"machine\": {\"profiles_dir\": \"" + REPO.resolve("conf/machines") + "\"}}"));
      assertThat(cfg.section("machine").getString("profile")).isEqualTo(profile);
      assertThat(cfg.section("worker").getInteger("concurrency")).isEqualTo(4);
    }
  }

  // ---- layers ------------------------------------------------------------------------------------

  @Test
  void aOneKeyConfigFileIsLaidOverConfEmpJsonInsteadOfReplacingIt() throws IOException {
    NodeConfig cfg = load(REPO, Map.of(), "--roles", "api", "--config",
        write("one.json", "{\"gateway\": {\"port\": 9123}}"));

    assertThat(cfg.section("gateway").getInteger("port")).isEqualTo(9123);
    // the rest still comes from conf/emp.json
    assertThat(cfg.section("gateway").getString("host")).isEqualTo("127.0.0.1");
    assertThat(cfg.section("machine").getString("profile")).isEqualTo("sim-test-local-dev");
    assertThat(cfg.section("worker").getJsonObject("connectors").getJsonObject("simulation").getInteger("step_ms"))
        .isEqualTo(200);
  }

  @Test
  void environmentBeatsTheFilesAndFlagsBeatTheEnvironment() throws IOException {
    NodeConfig cfg = load(REPO, Map.of("EMP_HTTP_PORT", "9001", "EMP_NAMESPACE", "ns1", "EMP_ROLES", "machine",
            "EMP_BATCH_MAX_JOBS", "250"),
        "--port", "9002", "--roles", "api", "--config", write("one.json", "{\"gateway\": {\"port\": 9000}}"));
    assertThat(cfg.section("gateway").getInteger("port")).isEqualTo(9002);
    assertThat(io.emp.jobqueue.gateway.GatewayConfig.from(cfg.section("gateway"), Map.of()).batchMaxJobs()).isEqualTo(250);
    assertThat(cfg.section("queue").getJsonObject("store").getString("namespace")).isEqualTo("ns1");
    assertThat(cfg.roles()).containsExactly(NodeConfig.Role.API);
    assertThat(cfg.dataDir()).isEqualTo(REPO.resolve("data"));
  }

  @Test
  void aMissingConfigFileIsAnErrorNamingItWhereverItWasNamed() {
    assertThatThrownBy(() -> load(tmp, Map.of(), "--config", "nope.json")).isInstanceOf(ConfigException.class)
        .hasMessage("config file not found: nope.json (from --config)");
    assertThatThrownBy(() -> load(tmp, Map.of("EMP_CONFIG", "gone/emp.json"))).isInstanceOf(ConfigException.class)
        .hasMessage("config file not found: gone/emp.json (from EMP_CONFIG)");
  }

  @Test
  void badJsonIsOneLineWithTheFileLineAndColumn() throws IOException {
    String file = write("bad.json", "{\n  \"gateway\": {\n    \"port\": 9000,\n  }\n}\n");
    assertThatThrownBy(() -> load(tmp, Map.of(), "--config", file)).isInstanceOf(ConfigException.class)
        .hasMessage(file + ":4:3: invalid JSON: Unexpected character ('}' (code 125)): was expecting double-quote "
            + "to start field name");
    String dup = write("dup.json", "{\"gateway\": {\"port\": 1, \"port\": 2}}");
    assertThatThrownBy(() -> load(tmp, Map.of(), "--config", dup)).hasMessage(dup
        + ":1:31: invalid JSON: Duplicate field 'port'");
    String list = write("list.json", "[1]");
    assertThatThrownBy(() -> load(tmp, Map.of(), "--config", list)).hasMessage(list
        + ": expected a JSON object ({...}) at the top level");
  }

  // ---- the check ---------------------------------------------------------------------------------

  @Test
  void anUnknownKeyIsNamedByItsDottedPath() throws IOException {
    assertThatThrownBy(() -> load(tmp, Map.of(), "--roles", "api", "--config",
        write("a.json", "{\"gateway\": {\"prot\": 9000}}")))
        .isInstanceOf(ConfigException.class).hasMessage("unknown config key gateway.prot (did you mean gateway.port?)");
    assertThatThrownBy(() -> load(tmp, Map.of(), "--roles", "api", "--config",
        write("b.json", "{\"worker\": {\"connectors\": {\"simulation\": {\"stpes\": 3}, \"a1111\": {}}},"
            + " \"queue\": {\"store\": {\"retry\": {\"bse_ms\": 1}}}, \"telemetry\": {\"sampling\": {\"fast\": 1}},"
            + " \"gatway\": {}}")))
        .hasMessage("unknown config keys: "
            + "worker.connectors.simulation.stpes (did you mean worker.connectors.simulation.steps?); "
            + "worker.connectors.a1111 (worker.connectors takes: comfyui, openai, simulation); "
            + "queue.store.retry.bse_ms (did you mean queue.store.retry.base_ms?); "
            + "telemetry.sampling.fast (telemetry.sampling takes: always_keep_tiers, customer_tiers, "
            + "decision_cache_size, decision_timeout_ms, enabled, fast_ratio, max_buffered_spans, medium_ms, "
            + "medium_ratio, slow_ms); "
            + "gatway (did you mean gateway?)");
  }

  @Test
  void aKeyEveryReaderKnowsPasses() throws IOException {
    // one key of each section reader, nested ones included: none is reported
    NodeConfig cfg = load(tmp, Map.of(), "--roles", "api", "--config", write("all.json", new JsonObject()
        .put("queue", new JsonObject().put("housekeeping_batch", 10).put("store", new JsonObject()
            .put("list_scan_max", 5).put("retry", new JsonObject().put("avoid_window_ms", 1))
            .put("limits", new JsonObject().put("max_ctx_bytes", 4096))))
        .put("gateway", new JsonObject().put("relay_batch", 5).put("auth", new JsonObject().put("disabled", true)))
        .put("telemetry", new JsonObject().put("region", "eu").put("otel", new JsonObject().put("otel.x", "y"))
            .put("sampling", new JsonObject().put("customer_tiers", new JsonObject().put("c1", "vip"))))
        .put("machine", new JsonObject().put("download_max_attempts", 2).put("profiles_dir", "x"))
        .put("worker", new JsonObject().put("drain_grace_ms", 5).put("models", new JsonObject())
            .put("connectors", new JsonObject().put("comfyui", new JsonObject().put("history_poll_ms", 5))
                .put("openai", new JsonObject().put("capture_content", true))))
        .encode()));
    assertThat(cfg.section("gateway").getInteger("relay_batch")).isEqualTo(5);
  }

  @Test
  void aWrongTypeNamesTheField() throws IOException {
    assertThatThrownBy(() -> load(tmp, Map.of(), "--roles", "api", "--config",
        write("t.json", "{\"gateway\": {\"port\": \"abc\"}}")))
        .isInstanceOf(ConfigException.class).hasMessage("gateway.port: expected a number, got \"abc\"");
    assertThatThrownBy(() -> load(tmp, Map.of("EMP_HTTP_PORT", "abc"), "--roles", "api"))
        .hasMessage("gateway.port: expected a number, got \"abc\"");
    assertThatThrownBy(() -> load(tmp, Map.of(), "--roles", "api", "--config",
        write("s.json", "{\"telemetry\": {\"sampling\": {\"fast_ratio\": \"most\"}}}")))
        .hasMessage("telemetry.sampling.fast_ratio: expected a number, got \"most\"");
    assertThatThrownBy(() -> load(tmp, Map.of("EMP_HTTP_PORT", "1"), "--roles", "api", "--config",
        write("g.json", "{\"gateway\": 8080}")))
        .hasMessage("gateway: expected an object, got 8080");
  }

  @Test
  void aValueOutOfRangeStopsTheLaunchWithTheReadersMessage() throws IOException {
    assertThatThrownBy(() -> load(tmp, Map.of(), "--roles", "api", "--config",
        write("r.json", "{\"worker\": {\"concurrency\": 0}}")))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("concurrency must be within 1..1024");
  }

  // ---- sampling ----------------------------------------------------------------------------------

  @Test
  void theEmbeddedLocalDefaultKeepsEveryTraceAndDeployedNodesSample() {
    assertThat(sampling(Map.of())).isFalse();
    assertThat(sampling(Map.of("REDIS_URL", "redis://r:6379"))).isTrue();
    assertThat(sampling(Map.of("EMP_ENVIRONMENT", "production"))).isTrue();
    assertThat(sampling(Map.of("EMP_ENVIRONMENT", "local-laptop"))).isFalse();
    // the switch, without a config file, both ways
    assertThat(sampling(Map.of("EMP_SAMPLING", "on"))).isTrue();
    assertThat(sampling(Map.of("EMP_SAMPLING", "off", "REDIS_URL", "redis://r:6379"))).isFalse();
    assertThat(sampling(Map.of("EMP_SAMPLING", "on"), "--sampling", "off")).isFalse();
    assertThat(sampling(Map.of("REDIS_URL", "redis://r:6379"), "--sampling", "OFF")).isFalse();
    assertThat(sampling(Map.of(), "--sampling", "on")).isTrue();
    assertThatThrownBy(() -> sampling(Map.of("EMP_SAMPLING", "maybe"))).isInstanceOf(ConfigException.class)
        .hasMessage("EMP_SAMPLING must be on or off, got 'maybe'");
  }

  @Test
  void anExplicitEnabledInAConfigFileIsKept() throws IOException {
    String off = write("off.json", "{\"telemetry\": {\"sampling\": {\"enabled\": false}}}");
    assertThat(samplingOf(load(tmp, Map.of("REDIS_URL", "redis://r:6379"), "--roles", "api", "--config", off)))
        .isFalse();
    String on = write("on.json", "{\"telemetry\": {\"sampling\": {\"enabled\": true}}}");
    assertThat(samplingOf(load(tmp, Map.of(), "--roles", "api", "--config", on))).isTrue();
    assertThat(samplingOf(load(tmp, Map.of(), "--roles", "api", "--config", on, "--sampling", "off"))).isFalse();
  }

  @Test
  void theBannerSaysWhetherTracesAreSampled() {
    assertThat(Banner.samplingLine(load(tmp, Map.of(), "--roles", "api"))).startsWith("Tail sampling off: every trace");
    assertThat(Banner.samplingLine(load(tmp, Map.of("REDIS_URL", "redis://r:6379"), "--roles", "api")))
        .startsWith("Tail sampling on");
  }

  // ---- flags -------------------------------------------------------------------------------------

  @Test
  void everyDocumentedFlagParses() {
    Flags f = Flags.parse(new String[] {"--roles", "api", "--config=c.json", "--redis-url", "redis://h:1",
        "--port", "81", "--data-dir", "d", "--sampling", "on"});
    assertThat(f.roles).isEqualTo("api");
    assertThat(f.config).isEqualTo("c.json");
    assertThat(f.redisUrl).isEqualTo("redis://h:1");
    assertThat(f.port).isEqualTo(81);
    assertThat(f.dataDir).isEqualTo("d");
    assertThat(f.sampling).isEqualTo(Flags.OnOff.on);
    assertThat(f.helpRequested() || f.versionRequested()).isFalse();
  }

  @Test
  void anUnknownFlagIsAnErrorNamingIt() {
    assertThatThrownBy(() -> Flags.parse(new String[] {"--prot", "1"})).isInstanceOf(ConfigException.class)
        .hasMessage("unknown option --prot (did you mean --port?); see --help");
    assertThatThrownBy(() -> Flags.parse(new String[] {"--colour=red"}))
        .hasMessage("unknown option --colour; see --help");
    assertThatThrownBy(() -> Flags.parse(new String[] {"all"})).hasMessage("unexpected argument 'all'; see --help");
    assertThatThrownBy(() -> Flags.parse(new String[] {"--port", "abc"}))
        .hasMessage("Invalid value for option '--port': 'abc' is not an int; see --help");
  }

  @Test
  void helpAndVersionAreAnswersNotANode() {
    Flags help = Flags.parse(new String[] {"--help"});
    assertThat(help.helpRequested()).isTrue();
    assertThat(help.usage()).startsWith("Usage: emp-job-queue").contains("--roles", "--config", "--redis-url",
        "--port", "--data-dir", "--sampling", "EMP_SAMPLING");
    Flags version = Flags.parse(new String[] {"--version"});
    assertThat(version.versionRequested()).isTrue();
    assertThat(version.version()).isEqualTo("emp-job-queue " + Version.current());
  }

  // ---- helpers -----------------------------------------------------------------------------------

  private NodeConfig load(Path workDir, Map<String, String> env, String... args) {
    return NodeConfig.load(Flags.parse(args), new HashMap<>(env), workDir);
  }

  private boolean sampling(Map<String, String> env, String... flags) {
    String[] args = Stream.concat(Stream.of("--roles", "api"), Stream.of(flags)).toArray(String[]::new);
    return samplingOf(load(tmp, env, args));
  }

  /** What the node's SDK is built with, not only what the tree says. */
  private static boolean samplingOf(NodeConfig cfg) {
    assertThat(Node.telemetryConfig(cfg).sampling().enabled()).isEqualTo(cfg.samplingEnabled());
    return cfg.samplingEnabled();
  }

  private String write(String name, String text) throws IOException {
    Path f = tmp.resolve(name);
    Files.writeString(f, text);
    return f.toString();
  }
}
