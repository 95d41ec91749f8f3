package io.emp.jobqueue.core.model;

import java.util.List;

/**
 * Jobs submitted together (POST /api/jobs/batch), each validated at the edge. Crosses the event bus
 * as one message ({@link JobBatchCodec}), so a batch costs one hop, not one per job.
 */
public record JobBatch(List<JobSpec> specs) {
  public JobBatch {
    specs = List.copyOf(specs);
  }

  public int size() {
    return specs.size();
  }

  /** True when sending it twice cannot make a job twice: every job has an id or an idempotency key. */
  public boolean repeatable() {
    return specs.stream().allMatch(s -> s.id() != null || s.idempotencyKey() != null);
  }
}
