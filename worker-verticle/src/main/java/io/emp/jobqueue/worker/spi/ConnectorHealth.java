package io.emp.jobqueue.worker.spi;

/** A connector's view of its backend. */
public record ConnectorHealth(String connector, boolean healthy, String detail) {
  public static ConnectorHealth healthy(String connector) {
    return new ConnectorHealth(connector, true, "ok");
  }

  public static ConnectorHealth unhealthy(String connector, String detail) {
    return new ConnectorHealth(connector, false, detail);
  }
}
