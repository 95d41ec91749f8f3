package io.emp.jobqueue.queue.store;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A claim on a sharded store: one claim.lua call per shard (a script sees one slot), shard after shard
 * until the worker's free slots are filled or every shard was asked. Each call starts at the next shard
 * in turn, so a shard whose queue never empties cannot keep the others' jobs waiting. Priority order
 * holds within a shard; across shards a job waits at most one round of the worker's calls.
 */
final class ShardedClaim {
  private final JobStore store;
  private final AtomicInteger next = new AtomicInteger();

  ShardedClaim(JobStore store) {
    this.store = store;
  }

  Future<ClaimBatch> claim(ClaimRequest req) {
    int n = store.shards().count();
    int start = Math.floorMod(next.getAndIncrement(), n);
    return from(req, start, 0, new ArrayList<>(), 0, 0);
  }

  private Future<ClaimBatch> from(ClaimRequest req, int start, int asked, List<ClaimedJob> got, int evaluated,
                                  long pending) {
    List<RedisKeys> all = store.shards().all();
    RedisKeys shard = all.get((start + asked) % all.size());
    ClaimRequest rest = new ClaimRequest(req.caps(), req.scanLimit(), req.leaseMs(), req.max() - got.size());
    return store.claimOn(shard, rest).compose(b -> {
      got.addAll(b.jobs());
      int ev = evaluated + b.jobsEvaluated();
      long left = pending + b.pendingCount();
      if (got.size() >= req.max() || asked + 1 >= all.size()) {
        return Future.succeededFuture(new ClaimBatch(got, ev, left));
      }
      return from(req, start, asked + 1, got, ev, left);
    });
  }
}
