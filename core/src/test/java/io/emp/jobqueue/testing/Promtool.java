package io.emp.jobqueue.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs Prometheus' {@code promtool} (Debian package {@code prometheus}; scripts/ensure-deps.sh
 * installs it) as a child process. A missing promtool fails the test with the command to fix it:
 * these checks are part of the build, never skipped.
 */
public final class Promtool {
  /** What promtool printed and how it exited. */
  public record Result(int exitCode, String output) {
    public boolean ok() {
      return exitCode == 0;
    }
  }

  private Promtool() {
  }

  /** The promtool binary: $PROMTOOL_BIN, else the first promtool on the PATH. */
  public static String binary() {
    String env = System.getenv("PROMTOOL_BIN");
    if (env != null && !env.isBlank()) {
      return env;
    }
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
      Path p = Path.of(dir, "promtool");
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    throw new AssertionError("promtool is not installed, and the metric/alert checks need it. Run "
        + "scripts/ensure-deps.sh as root (it installs the Debian package 'prometheus'), or "
        + "'sudo apt-get install -y prometheus', or set PROMTOOL_BIN.");
  }

  /** {@code promtool <args...>}, with {@code stdin} (may be null) on its standard input. */
  public static Result run(String stdin, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(binary());
    cmd.addAll(List.of(args));
    try {
      Path out = Files.createTempFile("promtool-", ".out");
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
      Process p = pb.start();
      if (stdin != null) {
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      p.getOutputStream().close();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("promtool " + String.join(" ", args) + " did not finish in 120 s");
      }
      String text = Files.readString(out);
      Files.deleteIfExists(out);
      return new Result(p.exitValue(), text);
    } catch (IOException e) {
      throw new AssertionError("cannot run promtool: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** {@code promtool check metrics} on an exposition; the result must be clean (exit 0, no lint output). */
  public static Result checkMetrics(String exposition) {
    return run(exposition, "check", "metrics");
  }

  /** The repository root (tests run from a module directory or from the root). */
  public static Path repoRoot() {
    Path here = Path.of("").toAbsolutePath();
    for (Path p = here; p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("conf")) && Files.isRegularFile(p.resolve("pom.xml"))
          && Files.isDirectory(p.resolve("core"))) {
        return p;
      }
    }
    throw new AssertionError("cannot find the repository root from " + here);
  }
}
