package io.emp.jobqueue.testing;

import static io.emp.jobqueue.testing.TestSentinels.command;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis Cluster on loopback: {@code masters} masters with {@code replicasPerMaster} replicas
 * each, every one a {@code redis-server --cluster-enabled yes} on free ports, joined by
 * {@code redis-cli --cluster create}. Node timeout is 1 s and replicas may always take over, so a
 * failover takes a few seconds. Persistence is off; {@link #close()} kills every process and deletes
 * the temp folder.
 */
public final class TestRedisCluster implements AutoCloseable {
  public static final int SLOTS = 16_384;
  public static final long NODE_TIMEOUT_MS = 1_000;
  static final Duration START = Duration.ofSeconds(30);

  private final Path dir;
  private final Map<Integer, Process> nodes = new LinkedHashMap<>();
  /** Replicas of a master as they were just before {@link #kill}: the candidates of its failover. */
  private final Map<Integer, List<Integer>> replicasAtKill = new HashMap<>();

  private TestRedisCluster(Path dir) {
    this.dir = dir;
  }

  /** Starts the nodes, creates the cluster and waits until every slot is served and every replica synced. */
  public static TestRedisCluster start(int masters, int replicasPerMaster) {
    String cli = redisCli();
    TestRedisCluster c;
    try {
      c = new TestRedisCluster(Files.createTempDirectory("emp-cluster-"));
    } catch (IOException e) {
      throw new IllegalStateException("cannot create a temp folder", e);
    }
    try {
      List<String> create = new ArrayList<>(List.of(cli, "--cluster", "create"));
      for (int i = 0; i < masters * (1 + replicasPerMaster); i++) {
        int port = TestRedis.freePort();
        c.startNode(port);
        create.add("127.0.0.1:" + port);
      }
      create.addAll(List.of("--cluster-replicas", Integer.toString(replicasPerMaster), "--cluster-yes"));
      c.run(create, c.dir.resolve("cluster-create.log"));
      c.awaitHealthy();
      return c;
    } catch (IOException | RuntimeException e) {
      c.close();
      throw new IllegalStateException("cannot start the redis cluster (logs in " + c.dir + ")", e);
    }
  }

  /** The url the project takes: {@code redis-cluster://host:port,...} with every master as a seed. */
  public String url() {
    StringBuilder sb = new StringBuilder("redis-cluster://");
    for (int p : masterPorts()) {
      sb.append(sb.length() > 16 ? "," : "").append("127.0.0.1:").append(p);
    }
    return sb.toString();
  }

  /** The masters a live node knows now, failed ones left out. */
  public List<Integer> masterPorts() {
    return view(anyLive()).stream().filter(n -> n.master && !n.failed).map(n -> n.port).toList();
  }

  /** The port of the master that serves {@code slot}, as a live node sees it now. */
  public int portOfSlot(int slot) {
    return view(anyLive()).stream().filter(n -> n.serves(slot)).findFirst()
        .orElseThrow(() -> new IllegalStateException("slot " + slot + " is not assigned")).port;
  }

  /** The hash slot of {@code key}, as the cluster computes it ({@code CLUSTER KEYSLOT}). */
  public int slot(String key) {
    try {
      return ((Long) command(anyLive(), "CLUSTER", "KEYSLOT", key)).intValue();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }


  /**
   * Moves {@code slot} and its keys to the master on {@code toPort} the way a live resharding does:
   * the source keeps serving what it still holds and answers ASK for what already moved, and only
   * after the last key left does the slot change owner (clients then get MOVED). Returns once every
   * live node sees the new owner.
   */
  public void moveSlot(int slot, int toPort) throws IOException {
    int fromPort = portOfSlot(slot);
    if (fromPort == toPort) {
      return;
    }
    String s = Integer.toString(slot);
    String fromId = idOf(fromPort);
    String toId = idOf(toPort);
    ok(command(toPort, "CLUSTER", "SETSLOT", s, "IMPORTING", fromId));
    ok(command(fromPort, "CLUSTER", "SETSLOT", s, "MIGRATING", toId));
    for (List<?> keys = keysInSlot(fromPort, s); !keys.isEmpty(); keys = keysInSlot(fromPort, s)) {
      List<String> migrate = new ArrayList<>(
          List.of("MIGRATE", "127.0.0.1", Integer.toString(toPort), "", "0", "5000", "KEYS"));
      keys.forEach(k -> migrate.add((String) k));
      Object reply = command(fromPort, migrate.toArray(String[]::new));
      if (!"OK".equals(reply) && !"NOKEY".equals(reply)) {
        throw new IllegalStateException("MIGRATE of slot " + slot + " failed: " + reply);
      }
    }
    // the target first: were the source told first, a client it redirects could meet a target that
    // does not own the slot yet and bounce back
    ok(command(toPort, "CLUSTER", "SETSLOT", s, "NODE", toId));
    ok(command(fromPort, "CLUSTER", "SETSLOT", s, "NODE", toId));
    for (int p : masterPorts()) {
      if (p != toPort && p != fromPort) {
        ok(command(p, "CLUSTER", "SETSLOT", s, "NODE", toId));
      }
    }
    await().atMost(START).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(() ->
        livePorts().stream().allMatch(p -> view(p).stream().anyMatch(n -> n.port == toPort && n.serves(slot))));
  }

  private static List<?> keysInSlot(int port, String slot) throws IOException {
    return (List<?>) command(port, "CLUSTER", "GETKEYSINSLOT", slot, "100");
  }

  /** SIGKILL of the node on {@code port}: no shutdown, no goodbye to its replicas, peers or clients. */
  public void kill(int port) {
    replicasAtKill.put(port, replicasOf(port));
    Process p = nodes.get(port);
    p.destroyForcibly();
    try {
      p.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** SIGSTOP (true) or SIGCONT (false) of the node on {@code port}: it holds its data but answers nothing meanwhile. */
  public void freeze(int port, boolean stop) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", stop ? "-STOP" : "-CONT", Long.toString(nodes.get(port).pid())).start();
    if (kill.waitFor() != 0) {
      throw new IOException("kill " + (stop ? "-STOP" : "-CONT") + " of the node on " + port + " failed");
    }
  }

  /**
   * Waits until a former replica of the killed master {@code deadMasterPort} is a master in the eyes
   * of every live node and every live node says {@code cluster_state:ok}; returns its port.
   */
  public int awaitFailover(int deadMasterPort) {
    List<Integer> candidates = replicasAtKill.get(deadMasterPort);
    if (candidates == null || candidates.isEmpty()) {
      throw new IllegalStateException(deadMasterPort + " was not a killed master with replicas");
    }
    int[] promoted = new int[1];
    await().atMost(START).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
      List<Integer> live = livePorts();
      for (int candidate : candidates) {
        if (live.contains(candidate) && live.stream().allMatch(p -> isMaster(p, candidate) && stateOk(p))) {
          promoted[0] = candidate;
          return true;
        }
      }
      return false;
    });
    return promoted[0];
  }

  private boolean isMaster(int viewer, int port) {
    return view(viewer).stream().anyMatch(n -> n.port == port && n.master && !n.failed);
  }

  /** The ports of every node this object started whose process still runs. */
  public List<Integer> livePorts() {
    return nodes.entrySet().stream().filter(e -> e.getValue().isAlive()).map(Map.Entry::getKey).toList();
  }

  private int anyLive() {
    return livePorts().stream().findFirst().orElseThrow(() -> new IllegalStateException("no live node"));
  }

  /** The ports of the replicas of the master on {@code masterPort}, as a live node sees them now. */
  public List<Integer> replicasOf(int masterPort) {
    String id = idOf(masterPort);
    return view(anyLive()).stream().filter(n -> id.equals(n.masterId)).map(n -> n.port).toList();
  }

  private String idOf(int port) {
    return view(anyLive()).stream().filter(n -> n.port == port).findFirst()
        .orElseThrow(() -> new IllegalStateException("no cluster node on " + port)).id;
  }

  private void awaitHealthy() {
    await().atMost(START).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() ->
        livePorts().stream().allMatch(p -> {
          String info = (String) TestSentinels.unchecked(p, "CLUSTER", "INFO");
          String repl = (String) TestSentinels.unchecked(p, "INFO", "replication");
          return info.contains("cluster_state:ok") && info.contains("cluster_slots_assigned:" + SLOTS)
              && (repl.contains("role:master") || repl.contains("master_link_status:up"));
        }));
  }

  private static boolean stateOk(int port) {
    return ((String) TestSentinels.unchecked(port, "CLUSTER", "INFO")).contains("cluster_state:ok");
  }

  /** The cluster as the node on {@code port} sees it ({@code CLUSTER NODES}). */
  private static List<Node> view(int port) {
    Object reply = TestSentinels.unchecked(port, "CLUSTER", "NODES");
    if (!(reply instanceof String text) || text.startsWith("-")) {
      throw new IllegalStateException("CLUSTER NODES on " + port + ": " + reply);
    }
    return text.lines().filter(l -> !l.isBlank()).map(Node::parse).toList();
  }

  /** One line of {@code CLUSTER NODES}: id, ip:port@bus, flags, master id, ..., slot ranges. */
  private record Node(String id, int port, boolean master, boolean failed, String masterId, List<int[]> slots) {
    static Node parse(String line) {
      String[] f = line.split(" ");
      String addr = f[1].split("[@,]")[0];
      List<String> flags = List.of(f[2].split(","));
      List<int[]> slots = new ArrayList<>();
      for (int i = 8; i < f.length; i++) {
        if (f[i].startsWith("[")) {
          continue; // a slot being imported or migrated: still served by its owner
        }
        String[] r = f[i].split("-");
        slots.add(new int[] {Integer.parseInt(r[0]), Integer.parseInt(r[r.length - 1])});
      }
      return new Node(f[0], Integer.parseInt(addr.substring(addr.lastIndexOf(':') + 1)), flags.contains("master"),
          flags.contains("fail") || flags.contains("fail?"), "-".equals(f[3]) ? null : f[3], slots);
    }

    boolean serves(int slot) {
      return slots.stream().anyMatch(r -> r[0] <= slot && slot <= r[1]);
    }
  }

  private void startNode(int port) throws IOException {
    Path d = dir.resolve("node-" + port);
    Files.createDirectories(d);
    String p = Integer.toString(port);
    Process process = new ProcessBuilder(TestRedis.redisServer(), "--port", p, "--bind", "127.0.0.1",
        "--cluster-enabled", "yes", "--cluster-config-file", dir.resolve("nodes-" + p + ".conf").toString(),
        // the bus port defaults to port + 10000, which a high free port would push past 65535
        "--cluster-port", Integer.toString(TestRedis.freePort()),
        "--cluster-node-timeout", Long.toString(NODE_TIMEOUT_MS),
        // a replica may take over however long it was cut off: a test kills masters on purpose
        "--cluster-replica-validity-factor", "0",
        "--save", "", "--appendonly", "no", "--dir", d.toString(), "--daemonize", "no",
        // a replica gets its full copy at once instead of after the default 5 s delay
        "--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0")
        .redirectErrorStream(true).redirectOutput(d.resolve("redis.log").toFile()).start();
    nodes.put(port, process);
    await().atMost(START).pollInterval(Duration.ofMillis(20)).ignoreExceptions()
        .until(() -> "PONG".equals(command(port, "PING")));
  }

  private void run(List<String> cmd, Path log) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      if (!p.waitFor(START.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(cmd.get(0) + " did not finish: " + Files.readString(log));
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + Files.readString(log));
    }
  }

  /** redis-cli next to the redis-server in use, else on PATH. */
  static String redisCli() {
    File server = new File(TestRedis.redisServer());
    List<File> candidates = new ArrayList<>();
    if (server.getParentFile() != null) {
      candidates.add(new File(server.getParentFile(), "redis-cli"));
    }
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!d.isEmpty()) {
        candidates.add(new File(d, "redis-cli"));
      }
    }
    return candidates.stream().filter(File::canExecute).findFirst().map(File::getPath)
        .orElseThrow(() -> new IllegalStateException(
            "redis-cli not found next to " + server + " or on PATH; it creates the test cluster"
                + " (Debian/Ubuntu: apt-get install redis-tools)"));
  }

  private static void ok(Object reply) {
    if (!"OK".equals(reply)) {
      throw new IllegalStateException("expected OK, got " + reply);
    }
  }

  @Override
  public void close() {
    TestSentinels.stopAll(nodes.values(), dir);
  }
}
