package io.emp.jobqueue.queue.store;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every Redis key shape, in one place. All keys share the hash tag {@code {prefix}}, so every
 * script touches one cluster slot (docs/redis.md). The Lua scripts get these same shapes as a
 * generated {@code K} table, so a shape is never written twice.
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
  }

  private final String prefix;

  public RedisKeys(String namespace) {
    if (namespace == null || !namespace.matches("[A-Za-z0-9_.\\-]{1,64}")) {
      throw new IllegalArgumentException("redis key namespace must be 1-64 of [A-Za-z0-9_.-]: " + namespace);
    }
    this.prefix = "{" + namespace + "}:";
  }

  public String prefix() {
    return prefix;
  }

  private String key(String shape, String... args) {
    String t = SHAPES.get(shape);
    for (int i = 0; i < args.length; i++) {
      t = t.replace("$" + (i + 1), args[i]);
    }
    return prefix + t;
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
    return key("events");
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

  /** The shape names: K.name in the scripts. */
  static java.util.Set<String> shapeNames() {
    return java.util.Collections.unmodifiableSet(SHAPES.keySet());
  }

  /**
   * The K table for a script: one function per shape the script uses (K.name), building the same
   * strings as above. Unused shapes are left out because the table is rebuilt on every call.
   */
  String luaKeyTable(String scriptSource) {
    StringBuilder sb = new StringBuilder("local P = '").append(prefix).append("'\nlocal K = {}\n");
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
      sb.append("K.").append(name).append(" = function(").append(params).append(") return P .. ")
          .append(body).append(" end\n");
    });
    return sb.toString();
  }
}
