package io.emp.jobqueue.queue.store;

import static io.emp.jobqueue.queue.store.StoreReplies.mapError;

import io.emp.jobqueue.core.model.JobSpec;
import io.emp.jobqueue.queue.store.Scripts.Name;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@link JobStore#submitAll}: many submit.lua calls pipelined on one connection, so a batch costs one
 * round trip instead of one per job. Each call is sent on its own ({@code send}, which writes at once
 * and does not wait for the answer), not as one {@code Redis#batch}: a batch fails whole when any
 * answer is an error, dropping the answers of the jobs it did store, and those must reach the caller.
 */
final class BatchSubmit {
  /**
   * Most calls in flight on the connection at once; a bigger batch is sent in windows of this size, one
   * after the other. Below the client's waiting-handler limit (RedisOptions maxWaitingHandlers, 2,048).
   */
  static final int PIPELINE_MAX = 1_000;

  private final Redis redis;
  private final Scripts scripts;
  private final StoreConfig cfg;
  private final Shards shards;

  BatchSubmit(Redis redis, Scripts scripts, StoreConfig cfg, Shards shards) {
    this.redis = redis;
    this.scripts = scripts;
    this.cfg = cfg;
    this.shards = shards;
  }

  Future<List<SubmitOutcome>> submit(List<JobSpec> specs) {
    if (specs.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    List<String> ids = new ArrayList<>(specs.size());
    for (JobSpec s : specs) {
      ids.add(shards.idFor(s));
    }
    SubmitOutcome[] out = new SubmitOutcome[specs.size()];
    return redis.connect().compose(conn -> {
      Future<Void> chain = Future.succeededFuture();
      for (int from = 0; from < specs.size(); from += PIPELINE_MAX) {
        int start = from;
        int end = Math.min(specs.size(), from + PIPELINE_MAX);
        chain = chain.compose(v -> window(conn, specs, ids, start, end, out));
      }
      return chain.compose(v -> replicated(conn, out)).map(v -> Arrays.asList(out)).eventually(conn::close);
    }).recover(err -> Future.failedFuture(mapError(err)));
  }

  /** Jobs {@code start..end-1}: all sent, then every answer read; NOSCRIPT ones run again after one SCRIPT LOAD. */
  private Future<Void> window(RedisConnection conn, List<JobSpec> specs, List<String> ids, int start, int end,
                              SubmitOutcome[] out) {
    List<Integer> all = new ArrayList<>(end - start);
    for (int i = start; i < end; i++) {
      all.add(i);
    }
    return send(conn, specs, ids, all, out, false).compose(noScript -> {
      if (noScript.isEmpty()) {
        return Future.succeededFuture();
      }
      // Redis lost its script cache (restart, SCRIPT FLUSH): those calls did nothing, so running them again
      // is safe. After one load they run as EVALSHA; on a cluster the load reached one node only, so what
      // still misses the script goes as EVAL, which also caches it where it runs.
      return conn.send(scripts.load(Name.SUBMIT))
          .compose(loaded -> send(conn, specs, ids, noScript, out, false))
          .compose(missing -> missing.isEmpty() ? Future.succeededFuture(missing)
              : send(conn, specs, ids, missing, out, true))
          .transform(ar -> {
            List<Integer> stillMissing = ar.succeeded() ? ar.result() : noScript;
            for (int i : stillMissing) {
              out[i] = SubmitOutcome.failed(mapError(ar.failed() ? ar.cause()
                  : new IllegalStateException("NOSCRIPT after SCRIPT LOAD")));
            }
            return Future.succeededFuture();
          });
    });
  }

  /** Pipelines the jobs {@code which}; fills their outcomes and answers those that met NOSCRIPT (left unset). */
  private Future<List<Integer>> send(RedisConnection conn, List<JobSpec> specs, List<String> ids, List<Integer> which,
                                     SubmitOutcome[] out, boolean eval) {
    List<Future<Response>> sent = new ArrayList<>(which.size());
    for (int i : which) {
      // on Redis Cluster the connection routes each call to its shard's master
      List<String> args = SubmitArgs.of(ids.get(i), specs.get(i), cfg.maxPendingPerService());
      RedisKeys shard = shards.of(ids.get(i));
      sent.add(conn.send(eval ? scripts.eval(shard, Name.SUBMIT, args) : scripts.evalsha(shard, Name.SUBMIT, args)));
    }
    return Future.join(sent).transform(done -> {
      List<Integer> noScript = new ArrayList<>();
      for (int k = 0; k < which.size(); k++) {
        int i = which.get(k);
        Future<Response> f = sent.get(k);
        if (f.succeeded()) {
          out[i] = read(ids.get(i), specs.get(i), f.result());
        } else if (Scripts.noScript(f.cause())) {
          noScript.add(i);
        } else {
          out[i] = SubmitOutcome.failed(mapError(f.cause()));
        }
      }
      return Future.succeededFuture(noScript);
    });
  }

  private static SubmitOutcome read(String id, JobSpec spec, Response r) {
    try {
      return SubmitOutcome.of(StoreReplies.submitted(id, spec, r));
    } catch (RuntimeException refused) {
      return SubmitOutcome.failed(refused);
    }
  }

  /**
   * With {@code wait_replicas} on, one WAIT after the whole batch (it counts every write of the
   * connection): too few replicas in time turn every stored job's outcome into UNAVAILABLE, as for a
   * single submit; retried with its id or idempotency key, a job that was kept is answered as existing.
   */
  private Future<Void> replicated(RedisConnection conn, SubmitOutcome[] out) {
    if (cfg.waitReplicas() == 0) {
      return Future.succeededFuture();
    }
    return conn.send(Request.cmd(Command.WAIT).arg(cfg.waitReplicas()).arg(cfg.waitTimeoutMs())).map(acked -> {
      int got = acked == null ? 0 : acked.toInteger();
      if (got < cfg.waitReplicas()) {
        for (int i = 0; i < out.length; i++) {
          if (out[i].succeeded()) {
            out[i] = SubmitOutcome.failed(Scripts.notReplicated(got, cfg.waitReplicas(), cfg.waitTimeoutMs()));
          }
        }
      }
      return null;
    });
  }
}
