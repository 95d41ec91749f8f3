package io.emp.jobqueue.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.emp.jobqueue.testing.TestRedis;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged fat jar refusing what it cannot run: each mistake is one line on stderr that names
 * the flag, key, file or port, with exit code 2 (1 for a port in use) and no stack trace; --help
 * and --version answer and exit 0 without starting anything. Run by failsafe after package.
 */
class CliIT {
  @TempDir
  Path tmp;
  Process process;

  @AfterEach
  void killLeftovers() throws InterruptedException {
    if (process != null && process.isAlive()) {
      List<ProcessHandle> children = process.toHandle().descendants().toList();
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
      children.forEach(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void anUnknownFlag() throws Exception {
    Run r = run(Map.of(), "--prot", "1");
    r.assertRefused(2, "emp-job-queue: unknown option --prot (did you mean --port?); see --help");
  }

  @Test
  void anUnknownConfigKey() throws Exception {
    Files.writeString(tmp.resolve("emp.json"), "{\"gateway\": {\"prot\": 9000}}");
    Run r = run(Map.of(), "--config", "emp.json");
    r.assertRefused(2, "emp-job-queue: unknown config key gateway.prot (did you mean gateway.port?)");
  }

  @Test
  void aMissingEmpConfigFile() throws Exception {
    Run r = run(Map.of("EMP_CONFIG", "conf/missing.json"));
    r.assertRefused(2, "emp-job-queue: config file not found: conf/missing.json (from EMP_CONFIG)");
  }

  @Test
  void badJson() throws Exception {
    Files.writeString(tmp.resolve("emp.json"), "{\n  \"gateway\": {\"port\": 9000,}\n}\n");
    Run r = run(Map.of(), "--config", "emp.json");
    r.assertRefused(2, "emp-job-queue: emp.json:2:28: invalid JSON: Unexpected character ('}' (code 125)): "
        + "was expecting double-quote to start field name");
  }

  @Test
  void aWrongType() throws Exception {
    Run r = run(Map.of("EMP_HTTP_PORT", "abc"));
    r.assertRefused(2, "emp-job-queue: gateway.port: expected a number, got \"abc\"");
  }

  @Test
  void helpPrintsUsageAndExitsWithoutStartingANode() throws Exception {
    Run r = run(Map.of(), "--help");
    assertThat(r.code).as(r.toString()).isZero();
    assertThat(r.stdout).startsWith("Usage: emp-job-queue").contains("--roles", "--config", "--redis-url", "--port",
        "--data-dir", "--sampling", "--version");
    assertThat(r.stderr).isEmpty();
    assertThat(tmp.resolve("data")).doesNotExist();
  }

  @Test
  void versionPrintsTheVersionAndExitsWithoutStartingANode() throws Exception {
    Run r = run(Map.of(), "--version");
    assertThat(r.code).as(r.toString()).isZero();
    assertThat(r.stdout).matches("emp-job-queue \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\\R");
    assertThat(r.stderr).isEmpty();
    // the embedded default would have made data/ for its Redis and dev key
    assertThat(tmp.resolve("data")).doesNotExist();
  }

  @Test
  void aPortInUseIsNamed() throws Exception {
    try (TestRedis redis = TestRedis.start();
         ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      Run r = run(Map.of("REDIS_URL", redis.url(), "EMP_API_KEYS", E2e.ADMIN_KEY + ":*:admin"),
          "--roles", "api", "--port", Integer.toString(port));
      r.assertRefused(1, "emp-job-queue: startup failed: the HTTP API cannot listen on 127.0.0.1:" + port
          + ": address already in use (choose another with --port or EMP_HTTP_PORT)");
    }
  }

  // ---- the child ---------------------------------------------------------------------------------

  record Run(int code, String stdout, String stderr) {
    void assertRefused(int expectedCode, String line) {
      assertThat(code).as(toString()).isEqualTo(expectedCode);
      assertThat(stderr).as(toString()).isEqualTo(line + System.lineSeparator());
      assertThat(stdout + stderr).doesNotContain("\tat ").doesNotContain("Exception");
    }
  }

  private Run run(Map<String, String> env, String... args) throws IOException, InterruptedException {
    Path jar = Path.of(System.getProperty("emp.fatJar", "target/emp-job-queue-fat.jar")).toAbsolutePath();
    assertThat(jar).as("the fat jar (run by failsafe after package)").isRegularFile();
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx128m", "-jar", jar.toString()));
    cmd.addAll(List.of(args));
    Path out = tmp.resolve("stdout.txt");
    Path err = tmp.resolve("stderr.txt");
    // the working directory has no conf/: only the built-in defaults and what the test gives
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectOutput(out.toFile())
        .redirectError(err.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("EMP_") || k.startsWith("OTEL_") || k.equals("REDIS_URL")
        || k.startsWith("OPENAI_"));
    pb.environment().putAll(env);
    process = pb.start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exited within 60 s: " + Files.readString(out)
        + Files.readString(err)).isTrue();
    return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
  }
}
