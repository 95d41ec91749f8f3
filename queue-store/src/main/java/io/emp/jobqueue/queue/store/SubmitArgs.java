package io.emp.jobqueue.queue.store;

import static io.emp.jobqueue.queue.store.StoreReplies.nz;
import static io.emp.jobqueue.queue.store.StoreReplies.tp;

import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.model.JobSpec;
import java.util.ArrayList;
import java.util.List;

/** The ARGV of submit.lua for one job: its queue facts, then its hash as field/value pairs (see the script's header). */
final class SubmitArgs {
  private SubmitArgs() {
  }

  static List<String> of(String id, JobSpec valid, int maxPendingPerService) {
    List<String> args = new ArrayList<>(48);
    args.add(tp(valid.trace()));
    args.add(id);
    args.add(valid.id() != null ? "1" : "0");
    args.add(nz(valid.idempotencyKey()));
    args.add(valid.serviceRequired());
    args.add(Integer.toString(valid.effectivePriority()));
    args.add(valid.workflowDatetime() == null ? "" : Long.toString(valid.workflowDatetime()));
    args.add(Integer.toString(maxPendingPerService));
    args.add(nz(valid.workflowId()));
    hashFields(id, valid, args);
    return args;
  }

  private static void hashFields(String id, JobSpec s, List<String> a) {
    pair(a, Job.F.ID, id);
    pair(a, Job.F.SERVICE, s.serviceRequired());
    pair(a, Job.F.PRIORITY, s.priority());
    pair(a, Job.F.PAYLOAD, s.payloadJson());
    if (!s.requirements().isEmpty()) {
      pair(a, Job.F.REQUIREMENTS, s.requirements().toJson().encode());
    }
    pair(a, Job.F.CUSTOMER, s.customerId());
    pair(a, Job.F.WORKFLOW, s.workflowId());
    pair(a, Job.F.WORKFLOW_PRIORITY, s.workflowPriority());
    pair(a, Job.F.WORKFLOW_DATETIME, s.workflowDatetime());
    pair(a, Job.F.CURRENT_STEP, s.currentStep());
    pair(a, Job.F.TOTAL_STEPS, s.totalSteps());
    pair(a, Job.F.MAX_RETRIES, s.maxRetries());
    pair(a, Job.F.CTX, s.ctxJson());
    pair(a, Job.F.REQUEST_ID, s.requestId());
    pair(a, Job.F.SESSION, s.clientSessionId());
    pair(a, Job.F.CORRELATION, s.correlationId());
    pair(a, Job.F.TIMEOUT_MS, s.timeoutMs());
    pair(a, Job.F.IDEMPOTENCY_KEY, s.idempotencyKey());
    s.trace().toMap().forEach((k, v) -> pair(a, k, v));
  }

  private static void pair(List<String> a, String k, Object v) {
    if (v != null) {
      a.add(k);
      a.add(v.toString());
    }
  }
}
