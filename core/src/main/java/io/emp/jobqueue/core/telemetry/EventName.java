package io.emp.jobqueue.core.telemetry;

/** Span event names of the tracing contract (docs/telemetry.md). */
public final class EventName {
  public static final String VALIDATION_STARTED = "request.validation.started";
  public static final String VALIDATION_COMPLETED = "request.validation.completed";
  public static final String VALIDATION_FAILED = "request.validation.failed";
  public static final String SUBMISSION_STARTED = "job.submission.started";
  public static final String SUBMISSION_COMPLETED = "job.submission.completed";
  public static final String REDIS_CONNECTION_ACQUIRED = "redis.connection.acquired";
  public static final String REDIS_JOB_SERIALIZED = "redis.job.serialized";
  public static final String REDIS_JOB_STORED = "redis.job.stored";
  public static final String REDIS_QUEUE_UPDATED = "redis.queue.updated";
  public static final String COMFYUI_PROMPT_SUBMITTED = "comfyui.prompt.submitted";
  public static final String COMFYUI_EXECUTION_STARTED = "comfyui.execution.started";
  public static final String COMFYUI_PROGRESS_UPDATED = "comfyui.progress.updated";
  public static final String COMFYUI_EXECUTION_COMPLETED = "comfyui.execution.completed";
  public static final String COMFYUI_RESULTS_RETRIEVED = "comfyui.results.retrieved";
  public static final String WS_MESSAGE_SERIALIZED = "websocket.message.serialized";
  public static final String WS_MESSAGE_SENT = "websocket.message.sent";
  public static final String WS_CLIENT_NOTIFIED = "websocket.client.notified";
  /** Not in the seed: one per retried OpenAI request (status, delay). */
  public static final String OPENAI_REQUEST_RETRY = "openai.request.retry";
  /** Not in the seed: the ComfyUI WebSocket dropped mid-job and was re-established. */
  public static final String COMFYUI_RECONNECTED = "comfyui.websocket.reconnected";

  private EventName() {
  }
}
