package io.emp.jobqueue.core.telemetry;

/** Span names of the tracing contract (docs/telemetry.md); named SpanName so it never shadows OpenTelemetry's Span. */
public final class SpanName {
  public static final String HTTP_REQUEST = "http.request.received";
  public static final String REDIS_SUBMIT = "redis.job.submit";
  public static final String REDIS_CLAIM = "redis.job.claim";
  public static final String JOB_PROCESSING = "job.processing";
  public static final String JOB_PREPROCESSING = "job.preprocessing";
  public static final String EXTERNAL_CALL = "external_service.call";
  public static final String JOB_POSTPROCESSING = "job.postprocessing";
  public static final String JOB_RESULT_UPLOAD = "job.result_upload";
  public static final String COMFYUI_EXECUTE = "comfyui.workflow.execute";
  public static final String OPENAI_CALL = "openai.api.call";
  public static final String WS_BROADCAST = "websocket.event.broadcast";
  public static final String MACHINE_STARTUP = "machine.startup";
  public static final String STARTUP_ENVIRONMENT = "machine.startup.environment";
  public static final String STARTUP_DEPENDENCIES = "machine.startup.dependencies";
  public static final String STARTUP_WORKER_BUNDLE = "machine.startup.worker_bundle";
  public static final String STARTUP_COMPONENTS = "machine.startup.component_installation";
  public static final String STARTUP_SERVICES = "machine.startup.services";
  public static final String STARTUP_REGISTRATION = "machine.startup.worker_registration";
  public static final String STARTUP_TELEMETRY = "machine.startup.telemetry";
  /**
   * Not in the seed: an operator's retry of a failed or cancelled job. The new run's trace starts
   * here and the span links to the previous run's trace (issue 11).
   */
  public static final String REDIS_RETRY = "redis.job.retry";

  /**
   * Not in the seed: an event-bus message leaving this node for another JVM ({@code send
   * emp.queue.submit}), kind CLIENT. Recorded in clustered mode only, where a hop may cross JVMs.
   */
  public static String busSend(String address) {
    return "send " + address;
  }

  /** Not in the seed: the receiving side of {@link #busSend}, kind SERVER, on the node that handles it. */
  public static String busProcess(String address) {
    return "process " + address;
  }

  public static String componentInstall(String name) {
    return "component.install." + name;
  }

  public static String serviceStartup(String name) {
    return "service.startup." + name;
  }

  /** {@code {component}.error.{error_type}}. */
  public static String error(String component, String errorType) {
    return component + ".error." + errorType;
  }

  private SpanName() {
  }
}
