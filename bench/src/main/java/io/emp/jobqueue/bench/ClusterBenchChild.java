package io.emp.jobqueue.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@link ClusterBenchNode} in a child JVM: started, waited for until it prints READY (its join
 * time), its output kept in a temp file.
 */
final class ClusterBenchChild {
  private ClusterBenchChild() {
  }

  /** @param joinMs how long the child took to join the cluster, measured inside it */
  record Child(Process process, long joinMs) {
  }

  static Child start(String role, String name, int port, List<String> members, String url, String ns)
      throws IOException {
    String cp = System.getProperty("java.class.path");
    Path log = Files.createTempFile("cluster-bench-" + role, ".log");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
        "-cp", cp, ClusterBenchNode.class.getName(), role, name, Integer.toString(port), String.join(",", members),
        url, ns).redirectErrorStream(true).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith("READY ")) {
        // keep draining its output, so a chatty child never blocks on a full pipe
        BufferedReader rest = out;
        Thread drain = new Thread(() -> {
          try {
            String l;
            while ((l = rest.readLine()) != null) {
              Files.writeString(log, l + "\n", java.nio.file.StandardOpenOption.APPEND);
            }
          } catch (IOException ignored) {
            // the child is gone
          }
        }, "drain-" + role);
        drain.setDaemon(true);
        drain.start();
        return new Child(p, Long.parseLong(line.substring(6).trim()));
      }
      Files.writeString(log, line + "\n", java.nio.file.StandardOpenOption.APPEND);
    }
    throw new IllegalStateException(role + " node exited; its output is in " + log);
  }
}
