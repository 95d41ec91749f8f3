package io.emp.jobqueue.worker.spi;

import io.emp.jobqueue.core.model.Job;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;

/**
 * What a connector gets for one job attempt.
 *
 * @param job the claimed job (payload, requirements, ctx, trace context)
 * @param attempt 1 for the first attempt
 * @param deadlineMs epoch ms by which the attempt must end (job timeout); connectors should not wait past it
 * @param otelContext the context of the {@code external_service.call} span: parent for backend spans
 * @param tracer a tracer whose service name is the worker's ({@code emp-{service}-worker})
 * @param results where produced files go
 */
public record JobContext(Job job, int attempt, long deadlineMs, Context otelContext, Tracer tracer,
                         ResultStore results) {
  public String jobId() {
    return job.id();
  }

  public long remainingMs() {
    return Math.max(0, deadlineMs - System.currentTimeMillis());
  }
}
