package io.emp.jobqueue.queue.store;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every Redis key shape, in one place, for one shard. All keys of a shard share its hash tag, so every
 * script touches one cluster slot (docs/redis.md). With one shard (the default) the tag is the
 * namespace, {@code {emp}}; with n shards ({@link #shards}) each has its own tag {@code {emp@j}}, chosen
 * so the n slots spread evenly over the slot range, and the control keys (machines, workers, monitor)
 * stay under {@code {emp}}. The Lua scripts get these same shapes as a generated {@code K} table, so a
 * shape is never written twice; the table takes the shard's prefix from the script's one declared key.
 */
public final class RedisKeys {
  /** shape name -> template; $1, $2 are arguments. */
  private static final Map<String, String> SHAPES = new LinkedHashMap<>();

  static {
    SHAPES.put("job", "job:$1");                // hash: the job
    // list: the job's events in seq order, each a compact JSON array (job_events.lua), capped; a list
    // and not a stream because a new stream preallocates a 4 KB node (issue 16: 5.4 KB per pending job)
    SHAPES.put("jobEvents", "job:$1:log");
    SHAPES.put("pending", "pending:$1");        // zset per service: qmember -> priority score
    SHAPES.put("active", "active");             // zset: job id -> lease deadline (ms)
    SHAPES.put("delayed", "delayed");           // zset: job id -> retry due time (ms)
    SHAPES.put("events", "events");             // stream: every job event (bounded)
    SHAPES.put("services", "services");         // set: every service ever submitted to
    SHAPES.put("counts", "counts");             // hash: <service>:<state> -> count
    SHAPES.put("seq", "seq");                   // string: global submit counter (queue tie-break)
    SHAPES.put("idem", "idem:$1");              // string: idempotency key -> job id
    SHAPES.put("idx", "idx:$1");                // zset per final status: job id -> finish time
    SHAPES.put("idxService", "idx:$1:$2");      // zset per final status and service
    SHAPES.put("wake", "wake:$1");              // pub/sub channel per service: new work
    SHAPES.put("workers", "workers");           // zset: worker id -> last heartbeat (ms)
    SHAPES.put("worker", "worker:$1");          // hash: a worker's registration
    SHAPES.put("machines", "machines");         // zset: machine id -> last heartbeat (ms)
    SHAPES.put("machine", "machine:$1");        // hash: a machine's registration
    SHAPES.put("workflow", "wf:$1");            // hash: a workflow's step job ids -> submit traceparent
    SHAPES.put("paused", "paused");             // set: services an admin paused (claims skip them)
    SHAPES.put("monitor", "monitor");           // stream: monitor notices (machine status, heartbeats, controls)
    SHAPES.put("created", "idx:created");       // zset: every job id -> created_at (the job browser)
    SHAPES.put("createdCustomer", "idx:customer:$1"); // zset per customer: job id -> created_at
    SHAPES.put("createdService", "idx:service:$1"); // zset per service: job id -> created_at
    SHAPES.put("expiring", "idx:expiring");     // zset: '<customer> <service> <job id>' -> when its retention ends
    SHAPES.put("moving", "moving");             // string: set while the shard moves; scripts refuse (TRYAGAIN)
  }

  /** Shapes shared by every shard of a namespace (pub/sub channels: a worker listens to one per service). */
  private static final java.util.Set<String> SHARED = java.util.Set.of("wake");
  /** The declared key of every script call: scripts take their shard's prefix from it (luaKeyTable). */
  private static final String ROUTING_SHAPE = "events";
  /** Most shards a namespace may have. */
  public static final int MAX_SHARDS = 1_024;

  private final String prefix;
  private final String base;

  /** The keys of a namespace with one shard, which are also the control keys of one with many. */
  public RedisKeys(String namespace) {
    this(namespace, namespace);
  }

  private RedisKeys(String namespace, String tag) {
    if (namespace == null || !namespace.matches("[A-Za-z0-9_.\\-]{1,64}")) {
      throw new IllegalArgumentException("redis key namespace must be 1-64 of [A-Za-z0-9_.-]: " + namespace);
    }
    this.prefix = "{" + tag + "}:";
    this.base = "{" + namespace + "}:";
  }

  /**
   * The keys of each of a namespace's {@code n} shards. One shard is the namespace's own tag (the layout
   * of a single server). For more, shard k's tag is {@code namespace@j} with the smallest j whose slot
   * lies in the k-th of n equal parts of the slot range: a cluster created with evenly split slot
   * ranges then holds an even share of the shards on each master. The layout is a pure function of
   * (namespace, n): every node computes the same, and n may not change while jobs exist.
   */
  public static java.util.List<RedisKeys> shards(String namespace, int n) {
    if (n < 1 || n > MAX_SHARDS) {
      throw new IllegalArgumentException("shards must be within 1.." + MAX_SHARDS);
    }
    if (n == 1) {
      return java.util.List.of(new RedisKeys(namespace));
    }
    RedisKeys[] out = new RedisKeys[n];
    int found = 0;
    for (int j = 0; found < n; j++) {
      String tag = namespace + "@" + j;
      int part = (int) ((long) ClusterSlots.slot(tag) * n / ClusterSlots.SLOTS);
      if (out[part] == null) {
        out[part] = new RedisKeys(namespace, tag);
        found++;
      }
    }
    return java.util.List.of(out);
  }

  public String prefix() {
    return prefix;
  }

  /** The cluster slot all of this shard's keys live in. */
  public int slot() {
    return ClusterSlots.slot(prefix);
  }

  private String key(String shape, String... args) {
    String t = SHAPES.get(shape);
    for (int i = 0; i < args.length; i++) {
      t = t.replace("$" + (i + 1), args[i]);
    }
    return (SHARED.contains(shape) ? base : prefix) + t;
  }

  public String job(String id) {
    return key("job", id);
  }

  public String jobEvents(String id) {
    return key("jobEvents", id);
  }

  public String pending(String service) {
    return key("pending", service);
  }

  public String active() {
    return key("active");
  }

  public String delayed() {
    return key("delayed");
  }

  public String events() {
    return key(ROUTING_SHAPE);
  }

  public String services() {
    return key("services");
  }

  public String counts() {
    return key("counts");
  }

  public String idem(String k) {
    return key("idem", k);
  }

  public String idx(String status) {
    return key("idx", status);
  }

  public String idxService(String status, String service) {
    return key("idxService", status, service);
  }

  public String wake(String service) {
    return key("wake", service);
  }

  public String workers() {
    return key("workers");
  }

  public String worker(String id) {
    return key("worker", id);
  }

  public String machines() {
    return key("machines");
  }

  public String workflow(String id) {
    return key("workflow", id);
  }

  public String machine(String id) {
    return key("machine", id);
  }

  public String paused() {
    return key("paused");
  }

  public String created() {
    return key("created");
  }

  public String createdCustomer(String customer) {
    return key("createdCustomer", customer);
  }

  public String createdService(String service) {
    return key("createdService", service);
  }

  public String expiring() {
    return key("expiring");
  }

  public String monitor() {
    return key("monitor");
  }

  /** Set while the shard's slot moves to another cluster node (docs/redis.md, "Moving a shard"). */
  public String moving() {
    return key("moving");
  }

  /**
   * The first lines of every script on Redis Cluster: while the shard's {@link #moving()} flag is set,
   * refuse before touching anything. A script declares one key and builds the others, and Redis only
   * redirects on declared keys: during a slot migration a script could find some of its keys moved and
   * fail half-way. With the flag, a move is: set it, move every key, clear it; callers meanwhile get
   * TRYAGAIN, which the cluster client retries with backoff.
   */
  static String luaMovingGate() {
    return "if redis.call('EXISTS', string.sub(KEYS[1], 1, -" + (SHAPES.get(ROUTING_SHAPE).length() + 1)
        + ") .. '" + SHAPES.get("moving") + "') == 1 then\n"
        + "  return redis.error_reply('TRYAGAIN the shard is moving to another cluster node')\nend\n";
  }

  /** The shape names: K.name in the scripts. */
  static java.util.Set<String> shapeNames() {
    return java.util.Collections.unmodifiableSet(SHAPES.keySet());
  }

  /**
   * The K table for a script: one function per shape the script uses (K.name), building the same
   * strings as above. Unused shapes are left out because the table is rebuilt on every call.
   */
  static String luaKeyTable(String scriptSource) {
    // one script serves every shard: its prefix is its declared key less the routing shape's name
    StringBuilder sb = new StringBuilder("local P = string.sub(KEYS[1], 1, -")
        .append(SHAPES.get(ROUTING_SHAPE).length() + 1).append(")\nlocal K = {}\n");
    if (SHARED.stream().anyMatch(sh -> scriptSource.contains("K." + sh + "("))) {
      // a shard's tag is {namespace@j}: the shared prefix is {namespace}
      sb.append("local B = (string.gsub(P, '@%d+}', '}'))\n");
    }
    SHAPES.forEach((name, template) -> {
      if (!scriptSource.contains("K." + name + "(")) {
        return;
      }
      int arity = template.contains("$2") ? 2 : template.contains("$1") ? 1 : 0;
      StringBuilder params = new StringBuilder();
      for (int i = 1; i <= arity; i++) {
        params.append(i > 1 ? ", " : "").append("a").append(i);
      }
      String body = "'" + template.replace("$1", "' .. a1 .. '").replace("$2", "' .. a2 .. '") + "'";
      body = body.replace(" .. ''", "");
      sb.append("K.").append(name).append(" = function(").append(params).append(") return ")
          .append(SHARED.contains(name) ? "B" : "P").append(" .. ")
          .append(body).append(" end\n");
    });
    return sb.toString();
  }
}
