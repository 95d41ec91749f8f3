package io.emp.jobqueue.queue;

/** Event-bus addresses of the queue API. Bodies are JSON; trace context rides in the headers. */
public final class QueueAddresses {
  public static final String SUBMIT = "emp.queue.submit";
  public static final String GET = "emp.queue.get";
  public static final String CANCEL = "emp.queue.cancel";
  public static final String LIST = "emp.queue.list";
  public static final String STATS = "emp.queue.stats";
  public static final String EVENTS = "emp.queue.events";
  public static final String WORKFLOW = "emp.queue.workflow";

  private QueueAddresses() {
  }
}
