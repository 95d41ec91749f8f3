package io.emp.jobqueue.core.telemetry;

/** Attribute keys of the machine start-up trace (docs/telemetry.md, machine start-up). */
public final class MachineAttr {
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
