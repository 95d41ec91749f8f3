package io.emp.jobqueue.core.telemetry;

/**
 * Every span name, service name, attribute key and event name of the product's tracing contract
 * ("the seed"; docs/telemetry.md lists them with their sections §1-§7), in one place. Where the seed uses an old
 * OpenTelemetry key, the current semantic-convention key sits beside it and both are emitted.
 */
public final class Seed {
  private Seed() {
  }

  /** Service names (resource attribute service.name). */
  public static final class Service {
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

    private Service() {
    }
  }

  /** Span names. */
  public static final class Span {
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

    private Span() {
    }
  }

  /** Event names. */
  public static final class Event {
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

    private Event() {
    }
  }

  /** Attribute keys, grouped as in the seed. */
  public static final class Attr {
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

  /** §6 machine startup attribute keys (machine.startup and its phase/child spans). */
  public static final class MachineAttr {
    public static final String MACHINE_ID = "machine.id";
    public static final String MACHINE_TYPE = "machine.type";
    public static final String MACHINE_PROFILE = "machine.profile";
    public static final String HW_GPU_COUNT = "machine.hardware.gpu_count";
    public static final String HW_CPU_CORES = "machine.hardware.cpu_cores";
    public static final String HW_RAM_GB = "machine.hardware.ram_gb";
    public static final String HW_DISK_GB = "machine.hardware.disk_gb";
    public static final String CONTAINER_IMAGE = "container.image";
    public static final String CONTAINER_PLATFORM = "container.platform";
    public static final String CONTAINER_MEMORY_LIMIT = "container.memory_limit";
    public static final String CONTAINER_RESTART_POLICY = "container.restart_policy";
    public static final String DEPLOYMENT_VERSION = "deployment.version";
    public static final String WORKERS_SPECIFICATION = "workers.specification";
    public static final String STARTUP_TOTAL_DURATION_MS = "startup.total_duration_ms";
    public static final String STARTUP_PHASES_COMPLETED = "startup.phases_completed";
    public static final String STARTUP_READY_FOR_JOBS = "startup.ready_for_jobs";
    /** Not in the seed: a phase that does not apply says so instead of reporting made-up numbers. */
    public static final String PHASE_SKIPPED = "phase.skipped";
    public static final String PHASE_SKIP_REASON = "phase.skip_reason";

    // 6.1 environment
    public static final String ENV_NODE_VERSION = "environment.node_version";
    /** Not in the seed: the JVM's counterpart of environment.node_version. */
    public static final String ENV_JAVA_VERSION = "environment.java_version";
    public static final String ENV_VARIABLES_LOADED = "environment.variables_loaded";
    public static final String ENV_SECRETS_AVAILABLE = "environment.secrets_available";
    public static final String DIRECTORIES_CREATED = "directories.created_count";
    public static final String PERMISSIONS_SUCCESS = "permissions.setup_success";

    // 6.2 dependencies
    public static final String DEPS_PACKAGE_MANAGER = "dependencies.package_manager";
    public static final String DEPS_INSTALL_DURATION_MS = "dependencies.install_duration_ms";
    public static final String DEPS_PACKAGES_INSTALLED = "dependencies.packages_installed";

    // 6.3 worker bundle
    public static final String BUNDLE_MODE = "bundle.mode";
    public static final String BUNDLE_SOURCE = "bundle.source";
    public static final String BUNDLE_SIZE_MB = "bundle.size_mb";
    public static final String BUNDLE_VERSION = "bundle.version";
    public static final String VALIDATION_BUNDLE_INTEGRITY = "validation.bundle_integrity";

    // 6.4 component installation
    public static final String COMPONENTS_TOTAL = "components.total_count";
    public static final String COMPONENTS_STRATEGY = "components.installation_strategy";
    public static final String COMPONENTS_MAX_CONCURRENT = "components.max_concurrent";
    public static final String INSTALLATION_TOTAL_DURATION_MS = "installation.total_duration_ms";
    public static final String INSTALLATION_PARALLEL_EFFICIENCY = "installation.parallel_efficiency";
    public static final String INSTALLATION_CACHE_USAGE = "installation.cache_usage";
    public static final String INSTALLATION_NETWORK_MB = "installation.network_usage_mb";
    public static final String COMPONENT_NAME = "component.name";
    public static final String COMPONENT_TYPE = "component.type";
    public static final String COMPONENT_VERSION = "component.version";
    public static final String COMPONENT_REQUIRED = "component.required";
    public static final String DOWNLOAD_URL = "download.url";
    public static final String DOWNLOAD_METHOD = "download.method";
    public static final String DOWNLOAD_SIZE_MB = "download.size_mb";
    public static final String DOWNLOAD_DURATION_MS = "download.duration_ms";
    public static final String DOWNLOAD_RESUME_USED = "download.resume_used";
    public static final String DOWNLOAD_RETRY_COUNT = "download.retry_count";
    public static final String INSTALL_DURATION_MS = "install.duration_ms";
    public static final String INSTALL_POST_INSTALL_STEPS = "install.post_install_steps";
    public static final String VALIDATION_SUCCESS = "validation.success";
    public static final String VALIDATION_FILES_PRESENT = "validation.files_present";
    public static final String EXTRACTION_FILES = "extraction.files_extracted";
    /** Not in the seed: the component came from the install cache. */
    public static final String INSTALL_CACHE_HIT = "install.cache_hit";

    // 6.5 services
    public static final String PM2_PROCESSES_DEFINED = "pm2.processes_defined";
    public static final String PM2_STARTUP_STRATEGY = "pm2.startup_strategy";
    public static final String SERVICES_TOTAL = "services.total_count";
    public static final String SERVICES_COMFYUI_INSTANCES = "services.comfyui_instances";
    public static final String SERVICES_WORKER_INSTANCES = "services.worker_instances";
    public static final String SERVICES_BACKGROUND = "services.background_services";
    public static final String STARTUP_SERVICES_DURATION_MS = "startup.services_duration_ms";
    public static final String STARTUP_HEALTH_CHECK_DURATION_MS = "startup.health_check_duration_ms";
    public static final String STARTUP_READY_STATE_REACHED = "startup.ready_state_reached";
    public static final String SERVICE_NAME = "service.name";
    public static final String SERVICE_TYPE = "service.type";
    public static final String SERVICE_INSTANCE_ID = "service.instance_id";
    public static final String SERVICE_BINDING = "service.binding";
    public static final String RESOURCE_GPU_ASSIGNED = "resource.gpu_assigned";
    public static final String RESOURCE_PORT_ASSIGNED = "resource.port_assigned";
    public static final String STARTUP_COMMAND = "startup.command";
    public static final String STARTUP_DURATION_MS = "startup.duration_ms";
    public static final String STARTUP_FIRST_LOG_MS = "startup.first_log_received_ms";
    public static final String STARTUP_READY_SIGNAL_MS = "startup.ready_signal_ms";
    public static final String HEALTH_INITIAL_CHECK_MS = "health.initial_check_duration_ms";
    public static final String HEALTH_ENDPOINT = "health.endpoint";
    public static final String HEALTH_STATUS_CODE = "health.status_code";
    public static final String HEALTH_RESPONSE_TIME_MS = "health.response_time_ms";

    // 6.6 worker registration
    public static final String REG_REDIS_ENDPOINT = "registration.redis_endpoint";
    public static final String REG_WORKER_COUNT = "registration.worker_count";
    public static final String REG_CAPABILITIES = "registration.capabilities";
    public static final String REG_MACHINE_METADATA = "registration.machine_metadata";
    public static final String REG_DURATION_MS = "registration.duration_ms";
    public static final String REG_RETRY_COUNT = "registration.retry_count";
    public static final String REG_HEARTBEAT = "registration.heartbeat_established";
    public static final String REG_JOB_POLLING = "registration.job_polling_started";
    public static final String READINESS_MACHINE_VISIBLE = "readiness.machine_visible";
    public static final String READINESS_ACCEPTING_JOBS = "readiness.accepting_jobs";
    public static final String READINESS_MONITOR_CONNECTED = "readiness.monitor_connected";
    public static final String READINESS_TOTAL_BOOTSTRAP_MS = "readiness.total_bootstrap_time_ms";

    // 6.7 telemetry
    public static final String OTEL_COLLECTOR_STARTED = "otel.collector_started";
    public static final String OTEL_CONFIG_GENERATED = "otel.config_generated";
    public static final String OTEL_HEALTH_CHECK_PASSED = "otel.health_check_passed";
    /** Not in the seed: which span exporter the in-process SDK uses (otlp, none, ...). */
    public static final String OTEL_EXPORTER = "otel.exporter";

    private MachineAttr() {
    }
  }
}
