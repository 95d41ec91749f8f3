package io.emp.jobqueue.queue.control;

import io.vertx.core.json.JsonObject;

/**
 * The control plane's addresses and messages: signals from the queue (on an API request) to the
 * workers. Every control has a durable record in Redis (the cancel flag in the job, the paused-services
 * set, the drain mark in the machine's registration); the bus message only makes it take effect at
 * once, so a lost message costs latency, never correctness.
 *
 * <ul>
 *   <li>{@link #worker(String)}: point to point, to the one worker that runs a job (cancel).</li>
 *   <li>{@link #WORKERS}: published to every worker (pause/resume a service, drain a machine).</li>
 *   <li>{@link #machine(String)}: to one machine's bootstrap (drain).</li>
 *   <li>{@link #RELOAD}: published to every node that runs workers (re-read the worker section).</li>
 * </ul>
 */
public final class Controls {
  public static final String WORKERS = "emp.control.workers";
  public static final String RELOAD = "emp.control.reload";
  /** Local only: a cluster member left (node_id); in-flight requests that may have gone to it are retried. */
  public static final String MEMBER_LEFT = "emp.cluster.member-left";

  public static final String TYPE = "type";
  public static final String CANCEL = "cancel";
  public static final String PAUSE = "pause";
  public static final String RESUME = "resume";
  public static final String DRAIN = "drain";

  private Controls() {
  }

  /** The control address of one worker. */
  public static String worker(String workerId) {
    return "emp.worker." + workerId + ".control";
  }

  /**
   * Local (same JVM) address where a worker answers what it runs: {worker_id, running: [job ids],
   * concurrency}. Its machine asks at each heartbeat, so the registry shows busy slots and current jobs.
   */
  public static String activity(String workerId) {
    return "emp.worker." + workerId + ".activity";
  }

  /** The control address of one machine's bootstrap. */
  public static String machine(String machineId) {
    return "emp.machine." + machineId + ".control";
  }

  public static JsonObject cancel(String jobId, String reason) {
    return new JsonObject().put(TYPE, CANCEL).put("job_id", jobId).put("reason", reason)
        .put("sent_at", System.currentTimeMillis());
  }

  public static JsonObject pause(String service, String by) {
    return new JsonObject().put(TYPE, PAUSE).put("service", service).put("by", by);
  }

  public static JsonObject resume(String service, String by) {
    return new JsonObject().put(TYPE, RESUME).put("service", service).put("by", by);
  }

  public static JsonObject drain(String machineId, String by) {
    return new JsonObject().put(TYPE, DRAIN).put("machine_id", machineId).put("by", by);
  }

  public static JsonObject reload(String by) {
    return new JsonObject().put(TYPE, "reload").put("by", by);
  }
}
