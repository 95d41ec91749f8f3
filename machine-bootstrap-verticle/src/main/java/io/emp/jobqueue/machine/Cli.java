package io.emp.jobqueue.machine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a command line to completion. Blocking: only from worker threads. */
final class Cli {
  /** Exit status and combined output. */
  record Out(int exit, String output) {
  }

  private Cli() {
  }

  static Out run(List<String> argv, Path dir, Map<String, String> env, long timeoutMs) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
    if (dir != null) {
      pb.directory(dir.toFile());
    }
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    try {
      // Output is small for these commands (quiet git, tar); reading to EOF cannot deadlock the child.
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IOException(argv.get(0) + " timed out after " + timeoutMs + " ms");
      }
      return new Out(p.exitValue(), new String(out, StandardCharsets.UTF_8).trim());
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
