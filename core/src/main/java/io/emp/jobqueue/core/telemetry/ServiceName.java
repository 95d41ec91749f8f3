package io.emp.jobqueue.core.telemetry;

/** Service names of the tracing contract (resource attribute {@code service.name}); docs/telemetry.md. */
public final class ServiceName {
  public static final String API = "emp-job-queue-api";
  public static final String WORKER = "emp-job-queue-worker";
  public static final String BOOTSTRAP = "emp-machine-bootstrap";

  /** {@code emp-{service}-worker}, e.g. emp-comfyui-worker. */
  public static String worker(String serviceType) {
    return "emp-" + serviceType + "-worker";
  }

  /** {@code emp-{component}} for error spans. */
  public static String component(String component) {
    return "emp-" + component;
  }

  private ServiceName() {
  }
}
