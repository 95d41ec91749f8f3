package io.emp.jobqueue.app;

import io.emp.jobqueue.core.config.ConfigException;
import io.emp.jobqueue.core.config.Typos;
import io.emp.jobqueue.core.telemetry.Version;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The launcher's command line, parsed by picocli: every flag is declared here once, and picocli
 * refuses unknown flags, writes --help and --version. Flags beat environment variables, which
 * beat the config files ({@link NodeConfig}).
 */
@Command(name = "emp-job-queue", mixinStandardHelpOptions = true, versionProvider = Flags.VersionText.class,
    sortOptions = false, usageHelpAutoWidth = false,
    description = {"Runs a node of the EMP job queue: the HTTP/WebSocket API (api), the queue service",
        "(queue), a machine with its workers (machine), any mix (api,queue) or all of them in",
        "one JVM (all). With --cluster the node joins a clustered event bus with the other nodes.",
        "'shards --help': list or move the job-queue shards of a Redis Cluster.", ""},
    footerHeading = "%nEnvironment:%n",
    footer = {
        "  REDIS_URL, EMP_NAMESPACE, EMP_REDIS_SHARDS, EMP_HTTP_HOST, EMP_HTTP_PORT, EMP_API_KEYS,",
        "  EMP_ROLES, EMP_DATA_DIR, EMP_CONFIG, EMP_SAMPLING, EMP_MACHINE_PROFILE,",
        "  EMP_MACHINE_ID, EMP_WORKERS, EMP_ENVIRONMENT, EMP_REGION, OPENAI_API_KEY,",
        "  EMP_CLUSTER, EMP_CLUSTER_NAME, EMP_CLUSTER_MEMBERS, EMP_CLUSTER_HOST,",
        "  EMP_CLUSTER_PORT, EMP_CLUSTER_BUS_PORT,",
        "  OTEL_* (telemetry export). README.md describes each.",
        "Precedence: flags > environment > the --config/EMP_CONFIG file > conf/emp.json",
        "> built-in defaults. Without REDIS_URL a local redis-server is started with",
        "its data under the data dir."})
final class Flags {
  /** on|off, as --sampling and EMP_SAMPLING take it. */
  enum OnOff { on, off }

  @Option(names = "--roles", paramLabel = "ROLES",
      description = "What this node runs: all, or a comma-separated list of api, queue, machine "
          + "(env EMP_ROLES; default all). Unclustered, api includes a queue of its own.")
  String roles;

  @Option(names = "--cluster",
      description = "Join the clustered event bus (Hazelcast, TCP/IP members from EMP_CLUSTER_MEMBERS; "
          + "env EMP_CLUSTER=1; default off).")
  boolean cluster;

  @Option(names = "--config", paramLabel = "FILE",
      description = "Config file laid over conf/emp.json; keys it omits keep their defaults (env EMP_CONFIG).")
  String config;

  @Option(names = "--redis-url", paramLabel = "URL",
      description = "The shared Redis, e.g. redis://host:6379, or redis-sentinel://h1:26379,h2:26379,h3:26379/"
          + "mymaster (env REDIS_URL; default: an embedded redis-server).")
  String redisUrl;

  @Option(names = "--port", paramLabel = "PORT", description = "HTTP port of the API (env EMP_HTTP_PORT; default 8080).")
  Integer port;

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "Dev API key and embedded Redis data (env EMP_DATA_DIR; default data).")
  String dataDir;

  @Option(names = "--sampling", paramLabel = "on|off",
      description = "In-process tail sampling (env EMP_SAMPLING). Default: off (every trace kept) for the "
          + "embedded local node, on (the production policy) when REDIS_URL is set or the environment is not local.")
  OnOff sampling;

  private CommandLine commandLine;

  /** Parses {@code args}; a bad or unknown flag is a one-line {@link ConfigException}. */
  static Flags parse(String[] args) {
    Flags flags = new Flags();
    CommandLine cmd = new CommandLine(flags).setCaseInsensitiveEnumValuesAllowed(true);
    flags.commandLine = cmd;
    try {
      cmd.parseArgs(args);
    } catch (CommandLine.UnmatchedArgumentException e) {
      List<String> unmatched = e.getUnmatched();
      String first = unmatched.isEmpty() ? "?" : unmatched.get(0);
      if (!first.startsWith("-")) {
        throw new ConfigException("unexpected argument '" + first + "'; see --help");
      }
      String name = first.contains("=") ? first.substring(0, first.indexOf('=')) : first;
      String meant = Typos.closest(name, cmd.getCommandSpec().optionsMap().keySet());
      throw new ConfigException("unknown option " + name + (meant == null ? "" : " (did you mean " + meant + "?)")
          + "; see --help");
    } catch (CommandLine.ParameterException e) {
      throw new ConfigException(e.getMessage().replaceAll("\\s*\\R\\s*", " ") + "; see --help");
    }
    return flags;
  }

  boolean helpRequested() {
    return commandLine.isUsageHelpRequested();
  }

  boolean versionRequested() {
    return commandLine.isVersionHelpRequested();
  }

  String usage() {
    return commandLine.getUsageMessage(CommandLine.Help.Ansi.OFF);
  }

  String version() {
    return String.join("\n", commandLine.getCommandSpec().version());
  }

  /** The version from the jar's manifest (the build's project version). */
  static final class VersionText implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"emp-job-queue " + Version.current()};
    }
  }
}
