package io.emp.jobqueue.app;

import java.util.concurrent.TimeUnit;

/**
 * Entry point of the fat jar: {@code java -jar emp-job-queue-fat.jar --roles all|api|machine}.
 * With no REDIS_URL it starts a local redis-server under ./data/ (the embedded default).
 */
public final class Main {
  private Main() {
  }

  public static void main(String[] args) throws Exception {
    NodeConfig cfg;
    try {
      cfg = NodeConfig.load(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("emp-job-queue: " + e.getMessage());
      System.exit(2);
      return;
    }
    EmbeddedRedis redis = null;
    if (cfg.wantsEmbeddedRedis() && cfg.roles().contains(NodeConfig.Role.API)) {
      try {
        redis = EmbeddedRedis.start(cfg.dataDir());
      } catch (IllegalStateException e) {
        System.err.println("emp-job-queue: " + e.getMessage());
        System.exit(3);
        return;
      }
      cfg = cfg.withRedisUrl(redis.url());
      System.out.println("Started redis-server at " + redis.url() + " (data in " + cfg.dataDir().resolve("redis") + ")");
    }
    Node node;
    try {
      node = Node.start(cfg).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      System.err.println("emp-job-queue: startup failed: " + cause.getMessage());
      if (redis != null) {
        redis.close();
      }
      System.exit(1);
      return;
    }
    EmbeddedRedis ownedRedis = redis;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("Stopping: draining workers and flushing telemetry...");
      try {
        node.stop().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.err.println("emp-job-queue: stop did not finish cleanly: " + e);
      }
      if (ownedRedis != null) {
        ownedRedis.close();
      }
      System.out.println("Stopped.");
    }, "emp-shutdown"));
    Banner.print(cfg, node);
  }
}
