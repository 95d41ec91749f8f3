package io.emp.jobqueue.core.telemetry;

/** Attribute keys of the tracing contract (docs/telemetry.md). Where the contract uses an old OpenTelemetry key,
 * the current semantic-convention key sits beside it and both are emitted. */
public final class Attr {
  // §1 http.request.received (old key, then the current semantic-convention key)
  public static final String HTTP_METHOD = "http.method";
  public static final String HTTP_REQUEST_METHOD = "http.request.method";
  public static final String HTTP_URL = "http.url";
  public static final String URL_PATH = "url.path";
  public static final String HTTP_USER_AGENT = "http.user_agent";
  public static final String USER_AGENT_ORIGINAL = "user_agent.original";
  public static final String HTTP_REQUEST_CONTENT_LENGTH = "http.request_content_length";
  public static final String HTTP_REQUEST_BODY_SIZE = "http.request.body.size";
  public static final String HTTP_STATUS_CODE = "http.status_code";
  public static final String HTTP_RESPONSE_STATUS_CODE = "http.response.status_code";
  public static final String REQUEST_ID = "request.id";
  public static final String CLIENT_IP = "client.ip";
  public static final String CLIENT_ADDRESS = "client.address";
  public static final String CLIENT_SESSION_ID = "client.session_id";
  public static final String JOB_SERVICE_REQUIRED = "job.service_required";
  public static final String JOB_PRIORITY = "job.priority";
  public static final String CUSTOMER_ID = "customer.id";
  public static final String WORKFLOW_ID = "workflow.id";
  public static final String CORRELATION_ID = "correlation_id";
  public static final String API_VERSION = "api.version";
  public static final String ENVIRONMENT = "environment";
  public static final String DEPLOYMENT_REGION = "deployment.region";
  public static final String DEPLOYMENT_ENVIRONMENT = "deployment.environment";

  // §2 redis.job.submit / redis.job.claim
  public static final String REDIS_OPERATION = "redis.operation";
  public static final String REDIS_KEY_PATTERN = "redis.key_pattern";
  public static final String REDIS_QUEUE = "redis.queue";
  public static final String JOB_ID = "job.id";
  public static final String JOB_PAYLOAD_SIZE = "job.payload_size_bytes";
  public static final String QUEUE_PRIORITY_SCORE = "queue.priority_score";
  public static final String QUEUE_ESTIMATED_POSITION = "queue.estimated_position";
  public static final String TRACE_CONTEXT_STORED = "trace.context_stored";
  public static final String TRACE_PARENT_ID = "trace.parent_id";
  /** Not in the seed: the trace id of a retried job's previous run. */
  public static final String JOB_PREVIOUS_TRACE_ID = "job.previous_trace_id";
  /** Not in the seed: jobs in a POST /api/jobs/batch request (its request span; each job has its own trace). */
  public static final String JOB_BATCH_SIZE = "job.batch_size";
  public static final String WORKER_ID = "worker.id";
  public static final String WORKER_MACHINE_ID = "worker.machine_id";
  public static final String WORKER_CAPABILITIES = "worker.capabilities";
  public static final String MATCHING_FUNCTION = "matching.function";
  public static final String MATCHING_SCAN_LIMIT = "matching.scan_limit";
  public static final String MATCHING_JOBS_EVALUATED = "matching.jobs_evaluated";
  public static final String MATCHING_DURATION_MS = "matching.match_duration_ms";
  public static final String QUEUE_JOBS_PENDING = "queue.jobs_pending";
  public static final String QUEUE_WAIT_TIME_MS = "queue.wait_time_ms";
  public static final String TRACE_CONTEXT_RETRIEVED = "trace.context_retrieved";
  public static final String DB_SYSTEM = "db.system";
  public static final String DB_SYSTEM_NAME = "db.system.name";
  public static final String DB_OPERATION_NAME = "db.operation.name";
  public static final String MESSAGING_SYSTEM = "messaging.system";
  public static final String MESSAGING_OPERATION_NAME = "messaging.operation.name";
  public static final String MESSAGING_OPERATION_TYPE = "messaging.operation.type";
  public static final String MESSAGING_DESTINATION_NAME = "messaging.destination.name";
  public static final String MESSAGING_MESSAGE_ID = "messaging.message.id";
  /** Not in the seed: the cluster node (event-bus node id) that recorded an event-bus span. */
  public static final String CLUSTER_NODE_ID = "cluster.node_id";
  /** Not in the seed: 1-based attempt of an event-bus request retried on another node. */
  public static final String MESSAGING_ATTEMPT = "messaging.request.attempt";

  // §3 job.processing
  public static final String JOB_TYPE = "job.type";
  public static final String JOB_RETRY_COUNT = "job.retry_count";
  /** Not in the seed: the 1-based attempt number, so two attempts of one job tell apart in one trace. */
  public static final String JOB_ATTEMPT = "job.attempt";
  public static final String WORKER_CONNECTOR_TYPE = "worker.connector_type";
  public static final String WORKER_MAX_CONCURRENT_JOBS = "worker.max_concurrent_jobs";
  public static final String PROCESSING_START_TIME = "processing.start_time";
  public static final String PROCESSING_ESTIMATED_DURATION_MS = "processing.estimated_duration_ms";
  public static final String PROCESSING_ACTUAL_DURATION_MS = "processing.actual_duration_ms";
  public static final String PROCESSING_STATUS = "processing.status";
  public static final String MACHINE_GPU_COUNT = "machine.gpu_count";
  public static final String MACHINE_GPU_MEMORY_GB = "machine.gpu_memory_gb";
  public static final String MACHINE_CPU_CORES = "machine.cpu_cores";
  public static final String MACHINE_RAM_GB = "machine.ram_gb";
  public static final String EXTERNAL_SERVICE_NAME = "external_service.name";
  public static final String EXTERNAL_SERVICE_ENDPOINT = "external_service.endpoint";
  public static final String EXTERNAL_SERVICE_VERSION = "external_service.version";

  // §5 websocket.event.broadcast
  public static final String WS_EVENT_TYPE = "websocket.event_type";
  public static final String WS_CLIENT_COUNT = "websocket.client_count";
  public static final String WS_SESSION_ID = "websocket.session_id";
  public static final String EVENT_JOB_ID = "event.job_id";
  public static final String EVENT_CORRELATION_ID = "event.correlation_id";
  public static final String EVENT_PAYLOAD_SIZE = "event.payload_size_bytes";
  public static final String EVENT_SEQUENCE_NUMBER = "event.sequence_number";
  public static final String EVENT_PROCESSING_LATENCY_MS = "event.processing_latency_ms";
  public static final String EVENT_QUEUE_TO_RESPONSE_MS = "event.queue_to_response_ms";
  public static final String EVENT_BROADCAST_DURATION_MS = "event.broadcast_duration_ms";
  public static final String JOB_FINAL_STATUS = "job.final_status";
  public static final String JOB_TOTAL_PROCESSING_TIME_MS = "job.total_processing_time_ms";
  public static final String CUSTOMER_RESPONSE_DELIVERED = "customer.response_delivered";
  /** Attributes of the websocket.message.sent / websocket.client.notified events (not in the seed). */
  public static final String WS_MESSAGES_SENT = "websocket.messages_sent";
  public static final String WS_CLIENTS_NOTIFIED = "websocket.clients_notified";

  // §4 comfyui.workflow.execute
  public static final String COMFYUI_ENDPOINT = "comfyui.endpoint";
  public static final String COMFYUI_WORKFLOW_ID = "comfyui.workflow_id";
  public static final String COMFYUI_PROMPT_ID = "comfyui.prompt_id";
  public static final String COMFYUI_NODE_COUNT = "comfyui.node_count";
  public static final String COMFYUI_ESTIMATED_STEPS = "comfyui.estimated_steps";
  public static final String WORKFLOW_TYPE = "workflow.type";
  public static final String WORKFLOW_MODEL = "workflow.model";
  public static final String WORKFLOW_RESOLUTION = "workflow.resolution";
  public static final String WORKFLOW_SEED = "workflow.seed";
  public static final String WORKFLOW_STEPS = "workflow.steps";
  public static final String WORKFLOW_CFG_SCALE = "workflow.cfg_scale";
  public static final String COMFYUI_QUEUE_POSITION = "comfyui.queue_position";
  public static final String COMFYUI_EXECUTION_TIME_MS = "comfyui.execution_time_ms";
  public static final String COMFYUI_MEMORY_USAGE_MB = "comfyui.memory_usage_mb";
  public static final String COMFYUI_VRAM_USAGE_MB = "comfyui.vram_usage_mb";
  public static final String MODEL_NAME = "model.name";
  public static final String MODEL_SIZE_GB = "model.size_gb";
  public static final String MODEL_DOWNLOAD_REQUIRED = "model.download_required";
  public static final String MODEL_DOWNLOAD_TIME_MS = "model.download_time_ms";
  /** Not in the seed: attribute of comfyui.progress.updated. */
  public static final String PROGRESS_PERCENTAGE = "progress.percentage";
  /** Not in the seed: outputs stored by comfyui.results.retrieved. */
  public static final String COMFYUI_OUTPUT_COUNT = "comfyui.output_count";
  /** Not in the seed: WebSocket reconnects during one job. */
  public static final String COMFYUI_RECONNECTS = "comfyui.reconnects";
  /** Not in the seed: the graph node a comfyui.progress.updated event is about. */
  public static final String COMFYUI_NODE_ID = "comfyui.node_id";

  // §4 openai.api.call
  public static final String OPENAI_MODEL = "openai.model";
  public static final String OPENAI_ENDPOINT = "openai.endpoint";
  public static final String OPENAI_REQUEST_ID = "openai.request_id";
  public static final String OPENAI_PROMPT_TOKENS = "openai.prompt_tokens";
  public static final String OPENAI_COMPLETION_TOKENS = "openai.completion_tokens";
  public static final String OPENAI_TOTAL_TOKENS = "openai.total_tokens";
  public static final String OPENAI_MAX_TOKENS = "openai.max_tokens";
  public static final String OPENAI_TEMPERATURE = "openai.temperature";
  public static final String IMAGE_SIZE = "image.size";
  public static final String IMAGE_QUALITY = "image.quality";
  public static final String IMAGE_STYLE = "image.style";
  public static final String IMAGE_FORMAT = "image.format";
  public static final String OPENAI_RESPONSE_TIME_MS = "openai.response_time_ms";
  public static final String OPENAI_RATE_LIMIT_REMAINING = "openai.rate_limit_remaining";
  /** Milliseconds until the request limit resets (parsed from x-ratelimit-reset-requests). */
  public static final String OPENAI_RATE_LIMIT_RESET = "openai.rate_limit_reset";
  /** Not in the seed: the token-bucket twins of the two above, and the server's own processing time. */
  public static final String OPENAI_RATE_LIMIT_REMAINING_TOKENS = "openai.rate_limit_remaining_tokens";
  public static final String OPENAI_RATE_LIMIT_RESET_TOKENS = "openai.rate_limit_reset_tokens";
  public static final String OPENAI_PROCESSING_MS = "openai.processing_ms";
  public static final String OPENAI_RESPONSE_SERVICE_TIER = "openai.response.service_tier";
  /** Not in the seed: streamed chat, time from sending to the first chunk. */
  public static final String OPENAI_TIME_TO_FIRST_CHUNK_MS = "openai.time_to_first_chunk_ms";
  /** Not in the seed: images an image generation returned. */
  public static final String OPENAI_IMAGE_COUNT = "openai.image_count";
  /** Not in the seed: the pause before an HTTP retry (openai.request.retry). */
  public static final String RETRY_DELAY_MS = "retry.delay_ms";
  /** Not in the seed: how a worker's attempt ended (completed, failed, cancelled, released, lost). */
  public static final String WORKER_ATTEMPT_END = "worker.attempt_end";
  /** Not in the seed: encoded size of a job's result. */
  public static final String JOB_RESULT_SIZE_BYTES = "job.result_size_bytes";
  /** Not in the seed: attributes of job.result_upload. */
  public static final String RESULT_NAME = "result.name";
  public static final String RESULT_CONTENT_TYPE = "result.content_type";
  public static final String RESULT_SIZE_BYTES = "result.size_bytes";
  public static final String RESULT_URI = "result.uri";

  // OpenTelemetry GenAI / HTTP client semantic conventions
  public static final String GEN_AI_PROVIDER_NAME = "gen_ai.provider.name";
  public static final String GEN_AI_OPERATION_NAME = "gen_ai.operation.name";
  public static final String GEN_AI_REQUEST_MODEL = "gen_ai.request.model";
  public static final String GEN_AI_REQUEST_MAX_TOKENS = "gen_ai.request.max_tokens";
  public static final String GEN_AI_REQUEST_TEMPERATURE = "gen_ai.request.temperature";
  public static final String GEN_AI_REQUEST_TOP_P = "gen_ai.request.top_p";
  public static final String GEN_AI_REQUEST_STREAM = "gen_ai.request.stream";
  public static final String GEN_AI_RESPONSE_ID = "gen_ai.response.id";
  public static final String GEN_AI_RESPONSE_MODEL = "gen_ai.response.model";
  public static final String GEN_AI_RESPONSE_FINISH_REASONS = "gen_ai.response.finish_reasons";
  public static final String GEN_AI_USAGE_INPUT_TOKENS = "gen_ai.usage.input_tokens";
  public static final String GEN_AI_USAGE_OUTPUT_TOKENS = "gen_ai.usage.output_tokens";
  public static final String GEN_AI_OUTPUT_TYPE = "gen_ai.output.type";
  public static final String GEN_AI_INPUT_MESSAGES = "gen_ai.input.messages";
  public static final String GEN_AI_OUTPUT_MESSAGES = "gen_ai.output.messages";
  public static final String SERVER_ADDRESS = "server.address";
  public static final String SERVER_PORT = "server.port";
  public static final String HTTP_REQUEST_RESEND_COUNT = "http.request.resend_count";

  // §7 errors
  public static final String ERROR_TYPE = "error.type";
  public static final String ERROR_MESSAGE = "error.message";
  public static final String ERROR_STACK_TRACE = "error.stack_trace";
  public static final String ERROR_CODE = "error.code";
  public static final String RECOVERY_ATTEMPTED = "recovery.attempted";
  public static final String RECOVERY_STRATEGY = "recovery.strategy";
  public static final String RECOVERY_SUCCESS = "recovery.success";
  public static final String IMPACT_JOB_FAILED = "impact.job_failed";
  public static final String IMPACT_CUSTOMER_NOTIFIED = "impact.customer_notified";
  public static final String IMPACT_SERVICE_DEGRADED = "impact.service_degraded";
  public static final String DEBUG_COMPONENT_VERSION = "debug.component_version";
  public static final String DEBUG_ENVIRONMENT = "debug.environment";
  public static final String DEBUG_DEPLOYMENT_ID = "debug.deployment_id";
  public static final String DEBUG_MACHINE_ID = "debug.machine_id";
  // SLA monitoring (seed "Customer SLA Compliance": actual vs promised), on job.processing of a final attempt
  public static final String SLA_TIER = "sla.tier";
  public static final String SLA_PROMISED_MS = "sla.promised_ms";
  public static final String SLA_ACTUAL_MS = "sla.actual_ms";
  public static final String SLA_MET = "sla.met";

  private Attr() {
  }
}
