package io.emp.jobqueue.app;

import io.emp.jobqueue.core.model.ValidationException;
import java.nio.file.Path;
import io.emp.jobqueue.core.logging.LogFormat;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Entry point of the fat jar: {@code java -jar emp-job-queue-fat.jar --roles all|api,queue,machine [--cluster]},
 * or {@code ... shards [move SHARD HOST:PORT]} ({@link ShardsCommand}).
 * With no REDIS_URL it starts a local redis-server under ./data/ (the embedded default).
 * Exit codes: 0 stopped cleanly (or --help/--version), 1 start-up failed, 2 bad flags or config,
 * 3 the embedded Redis could not start.
 */
public final class Main {
  private static Thread startupHook;

  private Main() {
  }

  public static void main(String[] args) throws Exception {
    NodeConfig cfg;
    Map<String, String> env = new HashMap<>(System.getenv());
    Flags flags;
    if (args.length > 0 && args[0].equals("shards")) {
      LogFormat.install(LogFormat.json(env));
      System.exit(ShardsCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length), env));
      return;
    }
    try {
      // first: every later log line (ours and the libraries') goes through it
      LogFormat.install(LogFormat.json(env));
      flags = Flags.parse(args);
      if (flags.helpRequested() || flags.versionRequested()) {
        System.out.print(flags.helpRequested() ? flags.usage() : flags.version() + "\n");
        System.out.flush();
        return;
      }
      cfg = NodeConfig.load(flags, env, Path.of(""));
    } catch (IllegalArgumentException | ValidationException e) {
      // a config error is the user's to fix: one line that names it, no stack trace
      System.err.println("emp-job-queue: " + oneLine(e.getMessage()));
      System.exit(2);
      return;
    }
    boolean api = cfg.roles().contains(NodeConfig.Role.API);
    boolean devKey = api && !cfg.hasApiKeys(env);
    if (devKey) {
      env.put("EMP_API_KEYS", DevKey.loadOrCreate(cfg.dataDir()) + ":*:admin");
      System.out.println("No API keys configured: using the local admin key in " + DevKey.file(cfg.dataDir())
          + " (set EMP_API_KEYS=key:customer:client|admin,... for real keys)");
    }
    EmbeddedRedis redis = null;
    if (cfg.wantsEmbeddedRedis() && !api) {
      System.err.println("emp-job-queue: a node without the api role needs the shared Redis: set REDIS_URL");
      System.exit(2);
      return;
    }
    if (cfg.wantsEmbeddedRedis()) {
      try {
        redis = EmbeddedRedis.start(cfg.dataDir());
      } catch (IllegalStateException e) {
        System.err.println("emp-job-queue: " + e.getMessage());
        System.exit(3);
        return;
      }
      cfg = cfg.withRedisUrl(redis.url());
      // Until the node is up, a stop signal must still take the Redis child down with the JVM.
      EmbeddedRedis starting = redis;
      startupHook = new Thread(starting::close, "emp-startup-stop");
      Runtime.getRuntime().addShutdownHook(startupHook);
      System.out.println("Started redis-server at " + redis.url() + " (data in " + cfg.dataDir().resolve("redis")
          + "; set REDIS_URL to use your own)");
    }
    Node node;
    try {
      // the start may wait for Redis first (queue.store.connect_timeout_ms)
      long limitMs = 120_000 + Node.store(cfg).connectTimeoutMs();
      // a reload re-reads the same layers (files, environment, flags); only its worker section is used
      Flags parsed = flags;
      node = Node.start(cfg, env, devKey, () -> NodeConfig.load(parsed, env, Path.of("")))
          .toCompletionStage().toCompletableFuture().get(limitMs, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      System.err.println("emp-job-queue: startup failed: " + oneLine(String.valueOf(cause.getMessage())));
      if (redis != null) {
        redis.close();
      }
      System.exit(1);
      return;
    }
    EmbeddedRedis ownedRedis = redis;
    if (startupHook != null) {
      Runtime.getRuntime().removeShutdownHook(startupHook);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("Stopping: draining workers and flushing telemetry...");
      try {
        node.stop().toCompletionStage().toCompletableFuture().get(90, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.err.println("emp-job-queue: stop did not finish cleanly: " + e);
      }
      if (ownedRedis != null) {
        ownedRedis.close();
      }
      System.out.println("Stopped.");
    }, "emp-shutdown"));
    exitZeroOnTerm();
    reloadOnHup(node);
    Banner.print(cfg, node);
  }

  static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ").trim();
  }

  /** SIGHUP re-reads the worker settings, as POST /api/workers/reload does (the way for unclustered nodes). */
  private static void reloadOnHup(Node node) {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> node.reload("SIGHUP"));
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      // no SIGHUP here: reloads come over the bus only
    }
  }

  /**
   * SIGTERM is how supervisors (systemd, Kubernetes, Process.destroy) ask a service to stop: after the
   * graceful stop in the shutdown hook the node exits 0, not the JVM's default 128+15, so a clean
   * stop is not reported as a failure.
   */
  private static void exitZeroOnTerm() {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("TERM"), sig -> System.exit(0));
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      // no SIGTERM here, or the JVM keeps it (-Xrs): the default handling stays
    }
  }
}
