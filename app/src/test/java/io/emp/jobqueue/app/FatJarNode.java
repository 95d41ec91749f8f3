package io.emp.jobqueue.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One node run from the packaged fat jar as a child JVM, the way users and the Docker image run it:
 * {@code java -jar emp-job-queue-fat.jar --roles ... --config ...} with a clean environment.
 * Used by the jar-level tests (*IT, run by failsafe after {@code package}).
 */
final class FatJarNode implements AutoCloseable {
  static final Duration START = Duration.ofSeconds(120);
  static final String BANNER_END = "Press Ctrl-C to stop.";

  private final String name;
  private final Process process;
  private final Path log;

  private FatJarNode(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  static Path jar() {
    Path jar = Path.of(System.getProperty("emp.fatJar", "target/emp-job-queue-fat.jar")).toAbsolutePath();
    assertThat(jar).as("the fat jar (run by failsafe after package)").isRegularFile();
    return jar;
  }

  /** The repository root (the jar is in app/target/). */
  static Path repo() {
    return jar().getParent().getParent().getParent();
  }

  /** conf/emp.json as shipped, with the machine's health port, work and result dirs made local to {@code dir}. */
  static JsonObject shippedConfig(Path dir) throws IOException {
    JsonObject cfg = new JsonObject(Files.readString(repo().resolve("conf/emp.json")));
    cfg.getJsonObject("machine").put("health_port", 0).put("work_dir", dir.resolve("machine").toString())
        .put("profiles_dir", repo().resolve("conf/machines").toString());
    cfg.getJsonObject("worker").put("results_dir", dir.resolve("results").toString());
    return cfg;
  }

  /** Starts {@code --roles roles} with this config (written under {@code dir}) and only this environment. */
  static FatJarNode start(String name, Path dir, String roles, JsonObject cfg, Map<String, String> env)
      throws IOException {
    Files.createDirectories(dir);
    Path cfgFile = dir.resolve(name + ".json");
    Files.writeString(cfgFile, cfg.encodePrettily());
    Path log = dir.resolve(name + ".log");
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-jar", jar().toString(), "--roles", roles, "--config", cfgFile.toString())
        .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
    // nothing from the developer's shell may point the child elsewhere
    pb.environment().keySet().removeIf(k -> k.startsWith("EMP_") || k.startsWith("OTEL_") || k.equals("REDIS_URL")
        || k.startsWith("OPENAI_"));
    pb.environment().put("EMP_DATA_DIR", dir.resolve(name + "-data").toString());
    pb.environment().putAll(env);
    return new FatJarNode(name, pb.start(), log);
  }

  /** Waits for the banner every role prints once it has started; fails with the output if the node exits. */
  FatJarNode awaitStarted() {
    await().atMost(START).pollInterval(Duration.ofMillis(250)).until(() -> {
      if (!process.isAlive()) {
        throw new AssertionError(name + " exited with " + process.exitValue() + ":\n" + output());
      }
      return output().contains(BANNER_END);
    });
    return this;
  }

  /** Waits for the node to exit by itself and returns its exit code. */
  int awaitExit() throws InterruptedException {
    assertThat(process.waitFor(START.toSeconds(), TimeUnit.SECONDS)).as(name + " exits:\n" + output()).isTrue();
    return process.exitValue();
  }

  /** SIGTERM, as supervisors stop it; returns the exit code. */
  int stop() throws InterruptedException {
    process.destroy();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(name + " exited within 60 s after SIGTERM").isTrue();
    return process.exitValue();
  }

  String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "<no output: " + e + ">";
    }
  }

  /** A node left running by a failed test: kill it and its children (an embedded redis-server). */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      List<ProcessHandle> children = process.toHandle().descendants().toList();
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
      children.forEach(ProcessHandle::destroyForcibly);
    }
  }
}
