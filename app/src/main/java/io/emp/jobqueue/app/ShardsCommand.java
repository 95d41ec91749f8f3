package io.emp.jobqueue.app;

import io.emp.jobqueue.queue.store.ShardMover;
import io.emp.jobqueue.queue.store.StoreConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code java -jar emp-job-queue.jar shards [move SHARD HOST:PORT]}: lists the namespace's shards on a
 * Redis Cluster with the master that serves each, or moves one shard to another master while the
 * system runs ({@link ShardMover}; docs/redis.md, "Moving a shard"). Reads the store settings the way a
 * node does (flags, environment, config files).
 */
@Command(name = "shards", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = false,
    description = {"Lists the job-queue shards of a Redis Cluster (shard, hash tag, slot, master), or with",
        "'move SHARD HOST:PORT' moves one to another master while the system runs. Never use",
        "redis-cli --cluster reshard/rebalance on these slots: see docs/redis.md.", ""})
final class ShardsCommand {
  @Parameters(arity = "0..3", paramLabel = "ARGS", description = "nothing (list), or: move SHARD HOST:PORT")
  List<String> args = new ArrayList<>();

  @Option(names = "--redis-url", paramLabel = "URL", description = "redis-cluster://host:port,... (env REDIS_URL).")
  String redisUrl;

  @Option(names = "--config", paramLabel = "FILE", description = "Config file laid over conf/emp.json (env EMP_CONFIG).")
  String config;

  static final long TIMEOUT_S = 600;

  /** Runs the command; the exit code: 0 done, 1 Redis refused or failed, 2 bad usage or config. */
  static int run(String[] argv, Map<String, String> env) {
    ShardsCommand c = new ShardsCommand();
    CommandLine cmd = new CommandLine(c);
    try {
      cmd.parseArgs(argv);
    } catch (CommandLine.ParameterException e) {
      System.err.println("emp-job-queue shards: " + Main.oneLine(e.getMessage()) + "; see shards --help");
      return 2;
    }
    if (cmd.isUsageHelpRequested() || cmd.isVersionHelpRequested()) {
      System.out.print(cmd.getUsageMessage(CommandLine.Help.Ansi.OFF));
      return 0;
    }
    boolean move = !c.args.isEmpty() && c.args.get(0).equals("move");
    if (!(c.args.isEmpty() || (move && c.args.size() == 3)) || (move && !c.args.get(1).matches("\\d{1,4}"))) {
      System.err.println("emp-job-queue shards: expected no argument (list) or 'move SHARD HOST:PORT'");
      return 2;
    }
    StoreConfig store;
    ShardMover mover;
    Vertx vertx = Vertx.vertx();
    try {
      List<String> flags = new ArrayList<>();
      if (c.redisUrl != null) {
        flags.addAll(List.of("--redis-url", c.redisUrl));
      }
      if (c.config != null) {
        flags.addAll(List.of("--config", c.config));
      }
      store = Node.store(NodeConfig.load(Flags.parse(flags.toArray(String[]::new)), env, Path.of("")));
      mover = new ShardMover(vertx, store);
    } catch (IllegalArgumentException e) {
      System.err.println("emp-job-queue shards: " + Main.oneLine(e.getMessage()));
      vertx.close();
      return 2;
    }
    try {
      Future<?> done = move
          ? mover.move(Integer.parseInt(c.args.get(1)), c.args.get(2)).map(s -> {
            System.out.println("shard " + s.index() + " (" + s.prefix() + ", slot " + s.slot() + ") is now on "
                + s.node());
            return s;
          })
          : mover.shards().map(all -> {
            System.out.println("namespace " + store.namespace() + ", " + all.size() + " shards");
            all.forEach(s -> System.out.printf("%4d  %-24s slot %5d  %s%n", s.index(), s.prefix(), s.slot(), s.node()));
            return all;
          });
      done.toCompletionStage().toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
      return 0;
    } catch (Exception e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      System.err.println("emp-job-queue shards: " + Main.oneLine(String.valueOf(cause.getMessage()))
          + (move ? " (the shard may be frozen: run the same command again to finish the move)" : ""));
      return cause instanceof IllegalArgumentException ? 2 : 1;
    } finally {
      mover.close();
      vertx.close();
    }
  }
}
