package io.emp.jobqueue.worker.connectors.comfyui;

import io.emp.jobqueue.worker.spi.JobContext;
import io.vertx.core.json.JsonObject;

/** The graph a job asks ComfyUI to run, and what the graph reveals. */
record ComfyUiInput(JsonObject graph, WorkflowFacts facts, String workflowId) {
  /**
   * Reads {@code payload.workflow} (or its alias {@code payload.prompt}): an API-format graph.
   *
   * @throws IllegalArgumentException when absent or not API format
   */
  static ComfyUiInput from(JobContext job) {
    JsonObject p = job.job().payload() == null ? new JsonObject() : job.job().payload();
    Object g = p.getValue("workflow", p.getValue("prompt"));
    if (!(g instanceof JsonObject graph)) {
      throw new IllegalArgumentException("comfyui payload needs 'workflow' (or 'prompt'): an API-format graph object");
    }
    WorkflowFacts facts = WorkflowFacts.of(graph, p.getString("workflow_type"));
    String wf = p.getString("workflow_id", job.job().workflowId());
    return new ComfyUiInput(graph, facts, wf);
  }
}
