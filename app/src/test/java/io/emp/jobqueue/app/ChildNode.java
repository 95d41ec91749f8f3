package io.emp.jobqueue.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One node of the packaged fat jar in a child JVM ({@code java -jar emp-job-queue-fat.jar}), with
 * its own working directory, config file (conf/emp.json as shipped, made test-local) and log.
 */
final class ChildNode {
  final String name;
  final Path dir;
  final Path log;
  private Process process;

  private ChildNode(String name, Path dir) {
    this.name = name;
    this.dir = dir;
    this.log = dir.resolve("node.log");
  }

  static Path jar() {
    Path jar = Path.of(System.getProperty("emp.fatJar", "target/emp-job-queue-fat.jar")).toAbsolutePath();
    assertThat(jar).as("the fat jar (run by failsafe after package)").isRegularFile();
    return jar;
  }

  static Path repo() {
    return jar().getParent().getParent().getParent();
  }

  /**
   * Starts {@code --roles roles} in {@code parent/name}: conf/cluster.xml is copied next to it, the
   * config is conf/emp.json with test-local directories and {@code tweak} applied; the environment
   * is {@code env} only (nothing from the developer's shell).
   */
  static ChildNode start(Path parent, String name, String roles, Map<String, String> env, Consumer<JsonObject> tweak,
                         String... jvmArgs) throws IOException {
    Path dir = Files.createDirectories(parent.resolve(name));
    ChildNode node = new ChildNode(name, dir);
    Path repo = repo();
    Files.createDirectories(dir.resolve("conf"));
    Files.copy(repo.resolve("conf/cluster.xml"), dir.resolve("conf/cluster.xml"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    JsonObject cfg = new JsonObject(Files.readString(repo.resolve("conf/emp.json")));
    cfg.getJsonObject("machine").put("health_port", 0).put("work_dir", dir.resolve("machine").toString())
        .put("profiles_dir", repo.resolve("conf/machines").toString());
    cfg.getJsonObject("worker").put("results_dir", dir.resolve("results").toString());
    tweak.accept(cfg);
    Path cfgFile = dir.resolve("emp.json");
    Files.writeString(cfgFile, cfg.encodePrettily());
    List<String> cmd = new java.util.ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC"));
    cmd.addAll(List.of(jvmArgs));
    cmd.addAll(List.of("-jar", jar().toString(), "--roles", roles, "--config", cfgFile.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(node.log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("EMP_") || k.startsWith("OTEL_") || k.equals("REDIS_URL")
        || k.startsWith("OPENAI_"));
    pb.environment().putAll(env);
    node.process = pb.start();
    return node;
  }

  /** The banner is printed once every role has started. */
  boolean up() {
    if (!process.isAlive()) {
      throw new AssertionError(name + " exited with " + process.exitValue() + ":\n" + output());
    }
    return output().contains("Press Ctrl-C to stop.");
  }

  boolean alive() {
    return process.isAlive();
  }

  String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "<no output: " + e + ">";
    }
  }

  /** kill -9: no shutdown hook, no goodbye to the cluster. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM, then waits for the exit. */
  int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
    return process.exitValue();
  }

  /** For @AfterAll: whatever is still running goes, forcibly. */
  void destroy() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
