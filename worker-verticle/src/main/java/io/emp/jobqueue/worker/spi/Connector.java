package io.emp.jobqueue.worker.spi;

import io.emp.jobqueue.core.model.Failure;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Runs jobs of one kind against one backend (ComfyUI, OpenAI, a simulation). A worker holds one
 * connector instance and calls it from its event loop: implementations must never block; blocking
 * work goes through {@code vertx.executeBlocking}.
 *
 * <p>Lifecycle: {@link #start} once before the first job, {@link #stop} once after the last.
 */
public interface Connector {

  /** Connector type, e.g. "simulation", "comfyui", "openai" (the worker.connector_type attribute). */
  String type();

  /** Prepares clients and connections. */
  default Future<Void> start(Vertx vertx) {
    return Future.succeededFuture();
  }

  /**
   * Runs one job. The returned future completes with the job's result (stored as the job's result
   * JSON), or fails; the worker turns a failure into retry or dead letter through {@link #classify}.
   * Progress goes to {@code progress}; the worker throttles it before it reaches Redis.
   * Spans of the backend call should be children of {@link JobContext#otelContext()}.
   */
  Future<JsonObject> process(JobContext job, ProgressSink progress);

  /**
   * Asks the backend to stop the job's work (client cancel, job timeout, worker shutdown). The
   * pending {@link #process} future should then fail with {@link JobCancelledException}.
   */
  default Future<Void> cancel(String jobId) {
    return Future.succeededFuture();
  }

  /** Whether the backend can take work now. */
  default Future<ConnectorHealth> health() {
    return Future.succeededFuture(ConnectorHealth.healthy(type()));
  }

  /**
   * Decides whether a failure may be retried. The default treats {@link ConnectorException}s by
   * their own classification, cancellation as cancelled, and anything else as a retryable
   * system error.
   */
  default Failure classify(Throwable error) {
    return FailureClassifier.classify(error);
  }

  /**
   * The credentials this connector was configured with (API keys, tokens). The worker masks them,
   * and anything shaped like a credential, in every failure before it is stored, emitted or traced.
   */
  default java.util.List<String> secrets() {
    return java.util.List.of();
  }

  /** Facts about the backend for the job.processing span (external_service.*); null fields are omitted. */
  default ExternalService externalService() {
    return new ExternalService(type(), null, null);
  }

  /** How long the job is expected to take (processing.estimated_duration_ms), or null when unknown. */
  default Long estimatedDurationMs(io.emp.jobqueue.core.model.Job job) {
    return null;
  }

  /**
   * Applies reloaded settings (the connector's config section, re-read on a reload control) to the
   * jobs started from now. Answers false when this connector cannot change its settings while running
   * (the default): the new settings then apply after a restart.
   */
  default boolean reconfigure(io.emp.jobqueue.core.config.ConfigSection settings) {
    return false;
  }

  default Future<Void> stop() {
    return Future.succeededFuture();
  }

  /** external_service.name / endpoint / version. */
  record ExternalService(String name, String endpoint, String version) {
  }
}
