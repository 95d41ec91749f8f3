package io.emp.jobqueue.app;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The local redis-server the embedded default runs when no REDIS_URL is configured: a child
 * process on a free loopback port, data (AOF, fsync every second) under the data directory, and
 * stopped with the node. Runs before Vert.x starts, on the main thread.
 */
final class EmbeddedRedis implements AutoCloseable {
  private final Process process;
  private final int port;

  private EmbeddedRedis(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  static EmbeddedRedis start(Path dataDir) throws IOException, InterruptedException {
    String bin = findServer();
    if (bin == null) {
      throw new IllegalStateException("redis-server was not found and REDIS_URL is not set. Install it "
          + "(Debian/Ubuntu: sudo apt-get install -y redis-server; macOS: brew install redis) or point "
          + "REDIS_URL at a running Redis 6.2+.");
    }
    Path dir = dataDir.resolve("redis");
    Files.createDirectories(dir);
    int port = freePort();
    List<String> cmd = new ArrayList<>();
    // Own session: Ctrl-C in the terminal reaches the JVM only, which drains its workers while Redis
    // is still up, and then stops Redis itself.
    if (new File("/usr/bin/setsid").canExecute()) {
      cmd.add("/usr/bin/setsid");
    }
    cmd.addAll(List.of(bin, "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--dir", dir.toAbsolutePath().toString(), "--appendonly", "yes", "--appendfsync", "everysec",
        "--save", "", "--daemonize", "no", "--logfile", "redis.log"));
    Process p = new ProcessBuilder(cmd)
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    EmbeddedRedis r = new EmbeddedRedis(p, port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!r.answersPing()) {
      if (!p.isAlive()) {
        throw new IllegalStateException("redis-server exited with " + p.exitValue() + "; see "
            + dir.resolve("redis.log"));
      }
      if (System.nanoTime() > deadline) {
        r.close();
        throw new IllegalStateException("redis-server did not answer within 20 s; see " + dir.resolve("redis.log"));
      }
      TimeUnit.MILLISECONDS.sleep(25);
    }
    return r;
  }

  String url() {
    return "redis://127.0.0.1:" + port;
  }

  private boolean answersPing() {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(1000);
      OutputStream out = s.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[5];
      return in.read(buf) == 5 && new String(buf, StandardCharsets.US_ASCII).equals("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  private static String findServer() {
    String env = System.getenv("REDIS_SERVER_BIN");
    if (env != null && new File(env).canExecute()) {
      return env;
    }
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/usr/local/bin").split(File.pathSeparator)) {
      File f = new File(dir, "redis-server");
      if (f.canExecute()) {
        return f.getAbsolutePath();
      }
    }
    return null;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    // SIGTERM lets redis flush its append-only file before it exits.
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
