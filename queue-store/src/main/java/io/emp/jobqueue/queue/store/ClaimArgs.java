package io.emp.jobqueue.queue.store;

import static io.emp.jobqueue.queue.store.StoreReplies.toMap;

import io.emp.jobqueue.core.model.Job;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The ARGV of claim.lua and complete_claim.lua (see the scripts' headers), and the claim part of
 * their answer: one claim token per job the call may take, the i-th job claimed holding the i-th.
 */
final class ClaimArgs {
  private ClaimArgs() {
  }

  /** claim.lua: traceparent (none: the event hangs off each job's submit span), worker, tokens, the request. */
  static List<String> claim(ClaimRequest req, List<String> tokens) {
    List<String> args = new ArrayList<>(8 + req.caps().services().size());
    args.add("");
    args.add(req.caps().workerId());
    args.add(String.join(" ", tokens));
    addRequest(args, req);
    return args;
  }

  /** complete_claim.lua: the completion's traceparent, job, token and result, then the claim's arguments. */
  static List<String> completeClaim(String tp, String jobId, String token, String resultJson, ClaimRequest next,
                                    List<String> tokens) {
    List<String> args = new ArrayList<>(10 + next.caps().services().size());
    args.add(tp);
    args.add(jobId);
    args.add(token);
    args.add(resultJson);
    args.add(next.caps().workerId());
    args.add(String.join(" ", tokens));
    addRequest(args, next);
    return args;
  }

  private static void addRequest(List<String> args, ClaimRequest req) {
    args.add(Long.toString(req.leaseMs()));
    args.add(Integer.toString(req.scanLimit()));
    args.add(req.caps().isServiceOnly() ? "" : req.caps().toJson().encode());
    args.addAll(req.caps().services());
  }

  /** A claim reply (claim.lua's layout) starting at {@code from}; the i-th job holds the i-th token. */
  static ClaimBatch batch(Response r, int from, List<String> tokens) {
    int evaluated = r.get(from + 1).toInteger();
    long pending = r.get(from + 2).toLong();
    if (!"OK".equals(r.get(from).toString())) {
      return new ClaimBatch(List.of(), evaluated, pending);
    }
    long at = r.get(from + 3).toLong();
    int n = (r.size() - from - 4) / 2;
    List<ClaimedJob> jobs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Job job = Job.fromHash(toMap(r.get(from + 5 + 2 * i)));
      // the i-th job's queue.jobs_pending as a lone claim would have seen it after taking that job
      jobs.add(new ClaimedJob(job, tokens.get(i), r.get(from + 4 + 2 * i).toInteger(), pending + (n - 1 - i), at));
    }
    return new ClaimBatch(jobs, evaluated, pending);
  }

  /** Fresh fencing tokens, one per job a call may claim. */
  static List<String> tokens(int n) {
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(Long.toHexString(rnd.nextLong()) + Long.toHexString(rnd.nextLong()));
    }
    return out;
  }
}
