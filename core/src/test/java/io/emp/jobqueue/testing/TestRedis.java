package io.emp.jobqueue.testing;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real redis-server on a free port, owned by one test class. Persistence is off and the data
 * directory is a temp folder, so nothing outlives the test ({@link #startDurable} is the exception:
 * a server that survives its own crash).
 */
public final class TestRedis implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Path dir;

  private TestRedis(Process process, int port, Path dir) {
    this.process = process;
    this.port = port;
    this.dir = dir;
  }

  public static TestRedis start() {
    try {
      return start(freePort());
    } catch (IOException e) {
      throw new IllegalStateException("no free port", e);
    }
  }

  /** A server on this port (a test that started a client before its Redis). */
  public static TestRedis start(int port) {
    try {
      return start(port, Files.createTempDirectory("emp-redis-"), "no", "everysec");
    } catch (IOException e) {
      throw new IllegalStateException("cannot create a data directory for redis-server", e);
    }
  }

  /**
   * A server that keeps its data in an append-only file under {@code dir}, written and fsynced before
   * each write is acknowledged ({@code appendfsync always}): a server started again on the same
   * directory after {@link #kill()} holds every write a client was told had succeeded.
   */
  public static TestRedis startDurable(int port, Path dir) {
    return start(port, dir, "yes", "always");
  }

  private static TestRedis start(int port, Path dir, String appendOnly, String appendFsync) {
    try {
      Files.createDirectories(dir);
      Process p = new ProcessBuilder(redisServer(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
          "--save", "", "--appendonly", appendOnly, "--appendfsync", appendFsync, "--dir", dir.toString(),
          "--daemonize", "no")
          .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
      TestRedis r = new TestRedis(p, port, dir);
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).ignoreExceptions()
          .until(() -> "+PONG".equals(r.command("PING")));
      return r;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start redis-server (is it installed?)", e);
    }
  }

  static String redisServer() {
    String env = System.getenv("REDIS_SERVER_BIN");
    if (env != null && !env.isBlank()) {
      return env;
    }
    for (String c : new String[] {"/usr/bin/redis-server", "/usr/local/bin/redis-server"}) {
      if (new File(c).canExecute()) {
        return c;
      }
    }
    return "redis-server";
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  public int port() {
    return port;
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** Sends one inline command and returns the first reply line (enough for PING, DBSIZE, FLUSHALL). */
  public String command(String inline) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      StringBuilder sb = new StringBuilder();
      int c;
      while ((c = in.read()) != -1 && c != '\r') {
        sb.append((char) c);
      }
      return sb.toString();
    }
  }

  /** Kills the server abruptly (simulates a Redis outage). */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    kill();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException ignored) {
      // temp dir cleanup is best effort
    }
  }
}
