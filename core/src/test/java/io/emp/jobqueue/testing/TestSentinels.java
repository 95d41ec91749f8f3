package io.emp.jobqueue.testing;

import static org.awaitility.Awaitility.await;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A replicated Redis watched by Sentinel, all real processes on loopback free ports: a master, a
 * replica and three {@code redis-server --sentinel} (quorum 2), configs written to a temp folder.
 * Failure detection is quick ({@link #DOWN_AFTER_MS}) so a failover takes seconds. Persistence is off.
 * {@link #close()} kills every process this object started.
 */
public final class TestSentinels implements AutoCloseable {
  public static final String MASTER_NAME = "mymaster";
  public static final long DOWN_AFTER_MS = 1_000;
  public static final long FAILOVER_TIMEOUT_MS = 3_000;
  static final Duration START = Duration.ofSeconds(30);

  private final Path dir;
  private final Map<Integer, Process> dataNodes = new LinkedHashMap<>();
  private final Map<Integer, Process> sentinels = new LinkedHashMap<>();

  private TestSentinels(Path dir) {
    this.dir = dir;
  }

  /** Starts the master, its replica and three sentinels, and waits until the sentinels know all of them. */
  public static TestSentinels start() {
    TestSentinels t;
    try {
      t = new TestSentinels(Files.createTempDirectory("emp-sentinel-"));
    } catch (IOException e) {
      throw new IllegalStateException("cannot create a temp folder", e);
    }
    try {
      int master = TestRedis.freePort();
      t.startDataNode(master, null);
      t.startDataNode(TestRedis.freePort(), master);
      for (int i = 0; i < 3; i++) {
        t.startSentinel(TestRedis.freePort(), master);
      }
      t.awaitReplicated();
      // a failover needs a majority of sentinels that know each other and the replica
      await().atMost(START).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() ->
          t.sentinels.keySet().stream().allMatch(p ->
              ((List<?>) unchecked(p, "SENTINEL", "SENTINELS", MASTER_NAME)).size() == 2
                  && ((List<?>) unchecked(p, "SENTINEL", "REPLICAS", MASTER_NAME)).size() == 1));
      return t;
    } catch (IOException | RuntimeException e) {
      t.close();
      throw new IllegalStateException("cannot start the sentinel group", e);
    }
  }

  /** The url the project takes: {@code redis-sentinel://host:port,.../mymaster}. */
  public String url() {
    StringBuilder sb = new StringBuilder("redis-sentinel://");
    sentinels.keySet().forEach(p -> sb.append(sb.length() > 17 ? "," : "").append("127.0.0.1:").append(p));
    return sb.append('/').append(MASTER_NAME).toString();
  }

  /** The port of the master the sentinels announce now. */
  public int masterPort() throws IOException {
    IOException last = null;
    for (int p : sentinels.keySet()) {
      try {
        List<?> addr = (List<?>) command(p, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME);
        return Integer.parseInt((String) addr.get(1));
      } catch (IOException e) {
        last = e;
      }
    }
    throw last;
  }

  /** The ports of every data node (master and replicas) this object started. */
  public List<Integer> dataPorts() {
    return List.copyOf(dataNodes.keySet());
  }

  /** A plain url of one data node (to read what it holds directly). */
  public static String url(int port) {
    return "redis://127.0.0.1:" + port;
  }

  /** SIGKILL of the data node on {@code port}: no shutdown, no goodbye to its replicas or clients. */
  public void kill(int port) {
    Process p = dataNodes.get(port);
    p.destroyForcibly();
    try {
      p.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Starts a killed data node again on its port, empty and configured as a master (as its own
   * config says); the sentinels notice it and turn it into a replica of the current master.
   */
  public void restart(int port) throws IOException {
    startDataNode(port, null);
  }

  /** Waits until every running data node other than the master has its replication link up. */
  public void awaitReplicated() {
    await().atMost(START).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
      int master = masterPortOrFirst();
      return dataNodes.entrySet().stream().filter(e -> e.getKey() != master && e.getValue().isAlive())
          .allMatch(e -> ((String) unchecked(e.getKey(), "INFO", "replication")).contains("master_link_status:up"));
    });
  }

  private int masterPortOrFirst() throws IOException {
    return sentinels.isEmpty() ? dataNodes.keySet().iterator().next() : masterPort();
  }

  /** The text of {@code INFO section} of the server on {@code port}. */
  public static String info(int port, String section) throws IOException {
    return (String) command(port, "INFO", section);
  }

  private void startDataNode(int port, Integer replicaOf) throws IOException {
    Path d = dir.resolve("node-" + port);
    Files.createDirectories(d);
    List<String> cmd = new ArrayList<>(List.of(TestRedis.redisServer(), "--port", Integer.toString(port),
        "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", d.toString(), "--daemonize", "no",
        // a replica (re)joining gets its full copy at once instead of after the default 5 s delay
        "--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0"));
    if (replicaOf != null) {
      cmd.addAll(List.of("--replicaof", "127.0.0.1", Integer.toString(replicaOf)));
    }
    dataNodes.put(port, launch(cmd, d.resolve("redis.log"), port));
  }

  private void startSentinel(int port, int master) throws IOException {
    Path conf = dir.resolve("sentinel-" + port + ".conf");
    // the sentinel rewrites its config file as it learns the topology, so it must be writable
    Files.writeString(conf, String.join("\n",
        "port " + port,
        "bind 127.0.0.1",
        "dir " + dir,
        "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + master + " 2",
        "sentinel down-after-milliseconds " + MASTER_NAME + " " + DOWN_AFTER_MS,
        "sentinel failover-timeout " + MASTER_NAME + " " + FAILOVER_TIMEOUT_MS,
        "sentinel parallel-syncs " + MASTER_NAME + " 1",
        ""));
    sentinels.put(port, launch(List.of(TestRedis.redisServer(), conf.toString(), "--sentinel"),
        dir.resolve("sentinel-" + port + ".log"), port));
  }

  private static Process launch(List<String> cmd, Path log, int port) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      await().atMost(START).pollInterval(Duration.ofMillis(20)).ignoreExceptions()
          .until(() -> "PONG".equals(command(port, "PING")));
    } catch (RuntimeException e) {
      p.destroyForcibly();
      throw e;
    }
    return p;
  }

  /**
   * Sends one command and reads its whole reply: a String (simple, bulk or error text prefixed
   * "-"), a Long, null, or a List of those.
   */
  public static Object command(int port, String... args) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(5_000);
      OutputStream out = s.getOutputStream();
      StringBuilder req = new StringBuilder("*").append(args.length).append("\r\n");
      for (String a : args) {
        req.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
      }
      out.write(req.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      return read(new BufferedInputStream(s.getInputStream()));
    }
  }

  /** {@link #command}, an I/O failure rethrown unchecked (for Awaitility conditions). */
  static Object unchecked(int port, String... args) {
    try {
      return command(port, args);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Object read(InputStream in) throws IOException {
    int type = in.read();
    String line = line(in);
    switch (type) {
      case '+':
        return line;
      case '-':
        return "-" + line;
      case ':':
        return Long.parseLong(line);
      case '$': {
        int n = Integer.parseInt(line);
        if (n < 0) {
          return null;
        }
        byte[] b = in.readNBytes(n + 2);
        return new String(b, 0, n, StandardCharsets.UTF_8);
      }
      case '*': {
        int n = Integer.parseInt(line);
        if (n < 0) {
          return null;
        }
        List<Object> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          out.add(read(in));
        }
        return out;
      }
      default:
        throw new IOException("unexpected reply type " + type);
    }
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != -1 && c != '\r') {
      sb.append((char) c);
    }
    in.read(); // '\n'
    return sb.toString();
  }

  @Override
  public void close() {
    List<Process> all = new ArrayList<>(sentinels.values());
    all.addAll(dataNodes.values());
    stopAll(all, dir);
  }

  /** SIGKILL of every process, then the temp folder deleted (best effort): the close of a test topology. */
  static void stopAll(java.util.Collection<Process> all, Path dir) {
    for (Process p : all) {
      p.destroyForcibly();
    }
    for (Process p : all) {
      try {
        p.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException ignored) {
      // temp dir cleanup is best effort
    }
  }
}
