package io.emp.jobqueue.queue.store;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * A claim on a sharded store: one claim.lua call per shard (a script sees one slot), shard after shard
 * until the worker's free slots are filled or every shard was asked. Each call starts at the next shard
 * in turn, so a shard whose queue never empties cannot keep the others' jobs waiting. Priority order
 * holds within a shard; across shards a job waits at most one round of the worker's calls.
 *
 * <p>Shards believed to have work are asked first: those whose last claim left jobs pending, and those
 * a job was just submitted to (by this store, or announced on a wake channel: {@link #hint}). An empty
 * shard costs a script call, so with n shards a claim that asked blindly would pay about n/2 of them per
 * job on a quiet system. A claim that is not filled by those still asks every other shard, so a wrong
 * belief costs a call, never a job.
 */
final class ShardedClaim {
  private final JobStore store;
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicIntegerArray hasWork;

  ShardedClaim(JobStore store) {
    this.store = store;
    this.hasWork = new AtomicIntegerArray(store.shards().count());
  }

  /** A job was submitted to shard {@code index}: ask it first. */
  void hint(int index) {
    hasWork.set(index, 1);
  }

  Future<ClaimBatch> claim(ClaimRequest req) {
    int n = store.shards().count();
    int start = Math.floorMod(next.getAndIncrement(), n);
    List<Integer> order = new ArrayList<>(n);
    for (int pass = 1; pass >= 0; pass--) {
      for (int i = 0; i < n; i++) {
        int k = (start + i) % n;
        if (hasWork.get(k) == pass) {
          order.add(k);
        }
      }
    }
    return from(req, order, 0, new ArrayList<>(), 0, 0);
  }

  private Future<ClaimBatch> from(ClaimRequest req, List<Integer> order, int asked, List<ClaimedJob> got,
                                  int evaluated, long pending) {
    int k = order.get(asked);
    RedisKeys shard = store.shards().all().get(k);
    ClaimRequest rest = new ClaimRequest(req.caps(), req.scanLimit(), req.leaseMs(), req.max() - got.size());
    return store.claimOn(shard, rest).compose(b -> {
      hasWork.set(k, b.pendingCount() > 0 ? 1 : 0);
      got.addAll(b.jobs());
      int ev = evaluated + b.jobsEvaluated();
      long left = pending + b.pendingCount();
      if (got.size() >= req.max() || asked + 1 >= order.size()) {
        return Future.succeededFuture(new ClaimBatch(got, ev, left));
      }
      return from(req, order, asked + 1, got, ev, left);
    });
  }
}
