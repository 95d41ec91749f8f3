package io.emp.jobqueue.queue.store;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;

/**
 * Where Redis is, parsed from {@code queue.store.redis_url} (env {@code REDIS_URL}), so one string
 * carries every topology:
 * <ul>
 *   <li>standalone: {@code redis://[user:password@]host:port[/db]}, {@code rediss://...}, {@code unix://...}</li>
 *   <li>sentinel: {@code redis-sentinel://[user:password@]host1:26379,host2:26379,host3:26379/mastername[?db=n]}
 *       ({@code rediss-sentinel://} for TLS); the credentials serve the sentinels and the master alike</li>
 *   <li>cluster: {@code redis-cluster://[user:password@]host1:6379,host2:6379[,...]} ({@code rediss-cluster://})</li>
 * </ul>
 *
 * @param topology how the client finds the server that takes writes
 * @param nodes one plain {@code redis://} (or {@code rediss://}, {@code unix://}) URI per configured node:
 *              the server itself, the sentinels, or the cluster seeds
 * @param masterName the sentinel master set name (null unless {@link Topology#SENTINEL})
 */
public record RedisEndpoint(Topology topology, List<String> nodes, String masterName) {
  public enum Topology { STANDALONE, SENTINEL, CLUSTER }

  public static final int DEFAULT_PORT = 6379;
  public static final int DEFAULT_SENTINEL_PORT = 26379;

  public RedisEndpoint {
    nodes = List.copyOf(nodes);
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("redis url names no host");
    }
    if ((topology == Topology.SENTINEL) != (masterName != null)) {
      throw new IllegalArgumentException("a master name goes with a sentinel url, and only there");
    }
  }

  /** Parses the url; the message of a bad one never repeats it (it may hold a password). */
  public static RedisEndpoint parse(String url) {
    if (url == null) {
      throw new IllegalArgumentException(usage("no redis url"));
    }
    int colon = url.indexOf("://");
    String scheme = colon < 0 ? "" : url.substring(0, colon);
    return switch (scheme) {
      case "redis", "rediss", "unix" -> new RedisEndpoint(Topology.STANDALONE, List.of(url), null);
      case "redis-sentinel", "rediss-sentinel" -> multi(Topology.SENTINEL, scheme, url.substring(colon + 3));
      case "redis-cluster", "rediss-cluster" -> multi(Topology.CLUSTER, scheme, url.substring(colon + 3));
      default -> throw new IllegalArgumentException(usage("unknown redis url scheme '" + scheme + "'"));
    };
  }

  private static RedisEndpoint multi(Topology topology, String scheme, String rest) {
    String nodeScheme = scheme.startsWith("rediss") ? "rediss" : "redis";
    String query = "";
    int q = rest.indexOf('?');
    if (q >= 0) {
      query = rest.substring(q);
      rest = rest.substring(0, q);
    }
    int slash = rest.indexOf('/');
    String authority = slash < 0 ? rest : rest.substring(0, slash);
    String path = slash < 0 ? "" : rest.substring(slash + 1);
    int at = authority.lastIndexOf('@');
    String userInfo = at < 0 ? "" : authority.substring(0, at + 1);
    String hosts = authority.substring(at + 1);
    String masterName = null;
    if (topology == Topology.SENTINEL) {
      if (!path.matches("[A-Za-z0-9_.\\-]{1,100}")) {
        throw new IllegalArgumentException(
            usage("a sentinel url ends with /<master name> (letters, digits, '-', '_', '.')"));
      }
      masterName = path;
    } else if (!path.isEmpty()) {
      throw new IllegalArgumentException(usage("a cluster url has no path (a cluster has no databases)"));
    }
    int defaultPort = topology == Topology.SENTINEL ? DEFAULT_SENTINEL_PORT : DEFAULT_PORT;
    List<String> nodes = new ArrayList<>();
    for (String hostPort : hosts.split(",", -1)) {
      if (hostPort.isBlank()) {
        throw new IllegalArgumentException(usage("empty host in the " + scheme + " url"));
      }
      String node = nodeScheme + "://" + userInfo + (hostPort.matches(".*:\\d+$") && !hostPort.endsWith("]")
          ? hostPort : hostPort + ":" + defaultPort) + query;
      try {
        URI u = new URI(node);
        if (u.getHost() == null || u.getPort() < 1) {
          throw new URISyntaxException(hostPort, "no host:port");
        }
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException(usage("host " + hostPort + " of the " + scheme + " url is not host:port"));
      }
      nodes.add(node);
    }
    return new RedisEndpoint(topology, nodes, masterName);
  }

  /** The nodes and master name without credentials, for log lines and spans. */
  public String redacted() {
    String hosts = String.join(",", nodes.stream().map(RedisEndpoint::redact).toList());
    return switch (topology) {
      case STANDALONE -> hosts;
      case SENTINEL -> "sentinels " + hosts + " master " + masterName;
      case CLUSTER -> "cluster seeds " + hosts;
    };
  }

  static String redact(String uri) {
    return uri.replaceAll("//[^/@]*@", "//").replaceAll("([?&]password=)[^&]*", "$1***");
  }

  private static String usage(String problem) {
    return problem + ": use redis://host:port, rediss://..., unix://..., "
        + "redis-sentinel://host1:26379,host2:26379,host3:26379/mastername or redis-cluster://host1:6379,host2:6379";
  }
}
