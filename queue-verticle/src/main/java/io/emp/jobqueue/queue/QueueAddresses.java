package io.emp.jobqueue.queue;

/** Event-bus addresses of the queue API. Bodies are JSON; trace context rides in the headers. */
public final class QueueAddresses {
  public static final String SUBMIT = "emp.queue.submit";
  /** Many jobs in one message ({@link io.emp.jobqueue.core.model.JobBatch}); answers {results: [...]}, one per job. */
  public static final String SUBMIT_BATCH = "emp.queue.submit_batch";
  public static final String GET = "emp.queue.get";
  public static final String CANCEL = "emp.queue.cancel";
  public static final String LIST = "emp.queue.list";
  public static final String STATS = "emp.queue.stats";
  public static final String EVENTS = "emp.queue.events";
  public static final String WORKFLOW = "emp.queue.workflow";
  /** Admin: pause / resume claims of one service; list every queue with its paused state. */
  public static final String PAUSE = "emp.queue.pause";
  public static final String RESUME = "emp.queue.resume";
  public static final String QUEUES = "emp.queue.queues";
  /** Admin: ask one machine to drain (its workers stop claiming and finish what they run). */
  public static final String DRAIN = "emp.queue.drain";
  /** Admin: every node with workers re-reads its worker settings. */
  public static final String RELOAD = "emp.queue.reload";
  /** Admin: operator actions on jobs (issue 11). */
  public static final String RETRY = "emp.queue.retry";
  public static final String RETRY_BULK = "emp.queue.retry_bulk";
  public static final String PROMOTE = "emp.queue.promote";
  public static final String DELETE = "emp.queue.delete";
  /** Admin: the registry (machine and worker registrations). */
  public static final String MACHINES = "emp.queue.machines";
  public static final String WORKERS = "emp.queue.workers";
  /** The job browser: jobs matching a filter, newest first, with an exact cursor. */
  public static final String BROWSE = "emp.queue.browse";

  private QueueAddresses() {
  }
}
