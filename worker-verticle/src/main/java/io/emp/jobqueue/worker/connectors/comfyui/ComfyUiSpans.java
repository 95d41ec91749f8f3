package io.emp.jobqueue.worker.connectors.comfyui;

import io.emp.jobqueue.core.telemetry.Attr;
import io.emp.jobqueue.core.telemetry.EventName;
import io.emp.jobqueue.core.model.Failure;
import io.emp.jobqueue.core.model.SecretRedactor;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.core.telemetry.TraceContexts;
import io.emp.jobqueue.worker.WorkerSpans;
import io.emp.jobqueue.worker.spi.JobContext;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;

/**
 * The {@code comfyui.workflow.execute} span of one run: its attributes and events, so that
 * {@link ComfyUiRun} reads as the protocol it follows.
 */
final class ComfyUiSpans {
  private static final double MB = 1024.0 * 1024.0;

  private final Span span;
  private final JobContext job;

  private ComfyUiSpans(Span span, JobContext job) {
    this.span = span;
    this.job = job;
  }

  /** W3C headers naming this span as the parent of what the server does. */
  TraceContext outbound() {
    return TraceContexts.inject(job.otelContext().with(span));
  }

  static ComfyUiSpans start(JobContext job, String host, int port, String promptId, ComfyUiInput input) {
    WorkflowFacts f = input.facts();
    Span s = job.tracer().spanBuilder(io.emp.jobqueue.core.telemetry.SpanName.COMFYUI_EXECUTE)
        .setParent(job.otelContext())
        .setSpanKind(SpanKind.CLIENT)
        .setAttribute(Attr.GEN_AI_PROVIDER_NAME, "comfyui")
        .setAttribute(Attr.GEN_AI_OPERATION_NAME, "invoke_workflow")
        .setAttribute(Attr.COMFYUI_ENDPOINT, "http://" + host + ":" + port)
        .setAttribute(Attr.SERVER_ADDRESS, host)
        .setAttribute(Attr.SERVER_PORT, (long) port)
        .setAttribute(Attr.COMFYUI_PROMPT_ID, promptId)
        .setAttribute(Attr.COMFYUI_NODE_COUNT, (long) f.nodeCount())
        .setAttribute(Attr.COMFYUI_ESTIMATED_STEPS, f.estimatedSteps())
        .setAttribute(Attr.WORKFLOW_TYPE, f.type())
        .setAttribute(Attr.JOB_ID, job.jobId())
        .startSpan();
    if (input.workflowId() != null) {
      s.setAttribute(Attr.COMFYUI_WORKFLOW_ID, input.workflowId());
    }
    if (f.model() != null) {
      s.setAttribute(Attr.WORKFLOW_MODEL, f.model());
      s.setAttribute(Attr.MODEL_NAME, f.model());
      s.setAttribute(Attr.GEN_AI_REQUEST_MODEL, f.model());
    }
    if (f.resolution() != null) {
      s.setAttribute(Attr.WORKFLOW_RESOLUTION, f.resolution());
    }
    if (f.seed() != null) {
      s.setAttribute(Attr.WORKFLOW_SEED, f.seed());
    }
    if (f.steps() != null) {
      s.setAttribute(Attr.WORKFLOW_STEPS, f.steps());
    }
    if (f.cfg() != null) {
      s.setAttribute(Attr.WORKFLOW_CFG_SCALE, f.cfg());
    }
    return new ComfyUiSpans(s, job);
  }

  /** The server accepted the prompt under {@code promptId} (its own id when it ignored ours). */
  void submitted(String promptId, boolean idChanged) {
    if (idChanged) {
      span.setAttribute(Attr.COMFYUI_PROMPT_ID, promptId);
    }
    span.addEvent(EventName.COMFYUI_PROMPT_SUBMITTED, Attributes.builder().put(Attr.COMFYUI_PROMPT_ID, promptId).build());
  }

  void queuePosition(int ahead) {
    span.setAttribute(Attr.COMFYUI_QUEUE_POSITION, (long) ahead);
  }

  void executionStarted() {
    span.addEvent(EventName.COMFYUI_EXECUTION_STARTED);
  }

  void progress(int percent, Object node) {
    span.addEvent(EventName.COMFYUI_PROGRESS_UPDATED, Attributes.builder()
        .put(Attr.PROGRESS_PERCENTAGE, (long) percent)
        .put(Attr.COMFYUI_NODE_ID, String.valueOf(node))
        .build());
  }

  void reconnected(int reconnects) {
    span.addEvent(EventName.COMFYUI_RECONNECTED, Attributes.builder().put(Attr.COMFYUI_RECONNECTS, (long) reconnects)
        .build());
  }

  void executionCompleted(long executionTimeMs) {
    span.addEvent(EventName.COMFYUI_EXECUTION_COMPLETED, Attributes.builder()
        .put(Attr.COMFYUI_EXECUTION_TIME_MS, executionTimeMs).build());
  }

  void resultsRetrieved(int outputs) {
    span.addEvent(EventName.COMFYUI_RESULTS_RETRIEVED, Attributes.builder().put(Attr.COMFYUI_OUTPUT_COUNT, (long) outputs)
        .build());
    span.setAttribute(Attr.COMFYUI_OUTPUT_COUNT, (long) outputs);
  }

  void ramInUse(double bytes) {
    span.setAttribute(Attr.COMFYUI_MEMORY_USAGE_MB, (long) (bytes / MB));
  }

  /** Records VRAM in use and answers it in MB. */
  long vramInUse(double bytes) {
    long mb = (long) (bytes / MB);
    span.setAttribute(Attr.COMFYUI_VRAM_USAGE_MB, mb);
    return mb;
  }

  void completed(long executionTimeMs, int reconnects) {
    if (executionTimeMs >= 0) {
      span.setAttribute(Attr.COMFYUI_EXECUTION_TIME_MS, executionTimeMs);
    }
    span.setAttribute(Attr.COMFYUI_RECONNECTS, (long) reconnects);
    span.end();
  }

  void failed(Failure f, Throwable error, int reconnects) {
    span.setAttribute(Attr.COMFYUI_RECONNECTS, (long) reconnects);
    span.setAttribute(Attr.ERROR_TYPE, f.code() != null ? f.code() : f.type());
    if (f.kind() != Failure.Kind.CANCELLED) {
      span.setStatus(StatusCode.ERROR, f.type());
    }
    WorkerSpans.recordException(span, error, SecretRedactor.PATTERNS);
    span.end();
  }
}
