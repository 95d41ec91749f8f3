package io.emp.jobqueue.queue.store;

import static io.emp.jobqueue.queue.store.StoreReplies.nz;
import static io.emp.jobqueue.queue.store.StoreReplies.toMap;
import static io.emp.jobqueue.queue.store.StoreReplies.tp;

import io.emp.jobqueue.core.model.Job;
import io.emp.jobqueue.core.model.JobEvent;
import io.emp.jobqueue.core.model.JobQueueException;
import io.emp.jobqueue.core.model.JobQueueException.Code;
import io.emp.jobqueue.core.model.JobStatus;
import io.emp.jobqueue.core.model.TraceContext;
import io.emp.jobqueue.queue.store.Scripts.Name;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads of jobs for the API and monitors: the job browser, the API's view of a job, events, stats, workflows. */
public final class JobQueries {
  private final JobStore store;

  JobQueries(JobStore store) {
    this.store = store;
  }

  /** Index entries one browse.lua call looks at: each call stays short, as it blocks Redis. */
  static final int BROWSE_BUDGET = 2_000;
  /** Calls one page may take; past that the page is returned short, with a cursor to go on from. */
  static final int BROWSE_MAX_CALLS = 50;
  /** list's cursor: the script's own ('phase:offset'), after '<shard>/' on a sharded store. */
  private static final java.util.regex.Pattern LIST_CURSOR =
      java.util.regex.Pattern.compile("(?:(\\d{1,4})/)?(\\d{1,2}:\\d{1,9})?");
  private static final java.util.regex.Pattern BROWSE_CURSOR =
      java.util.regex.Pattern.compile("\\d{1,15}:[A-Za-z0-9_.~\\-]{1,400}");

  /**
   * Jobs matching {@code filter}, newest created first, after {@code cursor} (null = from the newest).
   * A page holds {@code limit} jobs whenever that many match (the cursor is the last job's creation
   * time and id, so no job is skipped or repeated); only a filter that matches almost nothing over a
   * very long history can end a page short (after {@link #BROWSE_MAX_CALLS} calls), with a cursor.
   */
  public Future<BrowsePage> browse(JobFilter filter, int limit, String cursor) {
    if (limit < 1 || limit > 500) {
      return Future.failedFuture(new JobQueueException(Code.VALIDATION, "limit must be within 1..500"));
    }
    if (cursor != null && !cursor.isEmpty() && !BROWSE_CURSOR.matcher(cursor).matches()) {
      return Future.failedFuture(new JobQueueException(Code.VALIDATION, "cursor is not one this API returned"));
    }
    String f = filter.toJson().encode();
    String from = cursor == null ? "" : cursor;
    return store.shards().onEach(s -> browseShard(s, f, limit, from, new ArrayList<>(), 1))
        .map(parts -> BrowseMerge.page(parts, limit));
  }

  /** One shard's part of a page: up to limit + 1 matches, newest first, and where it stopped short. */
  private Future<BrowseMerge.Part> browseShard(RedisKeys shard, String filter, int limit, String position,
                                               List<Map<String, String>> acc, int calls) {
    // one more than the page: whether anything follows decides between a cursor and null
    int want = limit + 1 - acc.size();
    return store.call(shard, Name.BROWSE, List.of("", filter, position, Integer.toString(want),
            Integer.toString(BROWSE_BUDGET)))
        .compose(r -> {
          for (int i = 2; i < r.size(); i++) {
            acc.add(toMap(r.get(i)));
          }
          String pos = r.get(0).toString();
          if (acc.size() > limit || "1".equals(r.get(1).toString()) || pos.isEmpty()) {
            return Future.succeededFuture(new BrowseMerge.Part(acc, null));
          }
          if (calls >= BROWSE_MAX_CALLS) {
            return Future.succeededFuture(new BrowseMerge.Part(acc, pos));
          }
          return browseShard(shard, filter, limit, pos, acc, calls + 1);
        });
  }

  /** The job as the API shows it ({@link JobView}), or empty. */
  public Future<Optional<JsonObject>> view(String jobId) {
    return store.send(Request.cmd(Command.HGETALL).arg(store.shards().of(jobId).job(jobId))).map(r -> {
      Map<String, String> h = toMap(r);
      return h.isEmpty() ? Optional.<JsonObject>empty() : Optional.of(JobView.json(h));
    });
  }

  /**
   * The steps of a workflow submitted so far: job id -> the trace context of its submit span. Each step
   * is listed on its own shard (steps with store-made ids share the workflow's), so all are read.
   */
  public Future<Map<String, TraceContext>> workflowSteps(String workflowId) {
    return store.shards().onEach(s -> store.send(Request.cmd(Command.HGETALL).arg(s.workflow(workflowId))))
        .map(rs -> {
          Map<String, String> all = new HashMap<>();
          rs.forEach(r -> all.putAll(toMap(r)));
          return StoreReplies.traces(all);
        });
  }

  /** Lists jobs by status and/or service (null = any), newest first for final states, queue order for pending. */
  public Future<JobPage> list(JobStatus status, String service, int limit, String cursor) {
    if (limit < 1 || limit > 500) {
      return Future.failedFuture(new JobQueueException(Code.VALIDATION, "limit must be within 1..500"));
    }
    // one shard: the script's own cursor; more: '<shard>/<its cursor>', the shards read one after the other
    java.util.regex.Matcher m = LIST_CURSOR.matcher(cursor == null ? "" : cursor);
    int n = store.shards().count();
    boolean fromStart = cursor == null || cursor.isEmpty();
    if (!m.matches() || (!fromStart && (m.group(1) != null) != (n > 1))
        || (m.group(1) != null && Integer.parseInt(m.group(1)) >= n)) {
      return Future.failedFuture(new JobQueueException(Code.VALIDATION, "cursor is not one this API returned"));
    }
    int shard = m.group(1) == null ? 0 : Integer.parseInt(m.group(1));
    return listFrom(shard, status, service, limit, nz(m.group(2)), new ArrayList<>());
  }

  private Future<JobPage> listFrom(int shard, JobStatus status, String service, int limit, String cursor,
                                   List<Job> acc) {
    RedisKeys keys = store.shards().all().get(shard);
    return store.call(keys, Name.LIST, List.of("", status == null ? "" : status.wire(), nz(service), cursor,
        Integer.toString(limit - acc.size()))).compose(r -> {
          for (int i = 1; i < r.size(); i++) {
            acc.add(Job.fromHash(toMap(r.get(i))));
          }
          String next = r.get(0).toString();
          boolean last = shard + 1 >= store.shards().count();
          if (!next.isEmpty()) {
            return Future.succeededFuture(new JobPage(acc, store.shards().count() == 1 ? next : shard + "/" + next));
          }
          if (last) {
            return Future.succeededFuture(new JobPage(acc, null));
          }
          if (acc.size() >= limit) {
            return Future.succeededFuture(new JobPage(acc, (shard + 1) + "/"));
          }
          return listFrom(shard + 1, status, service, limit, "", acc);
        });
  }

  /** Per service; on a sharded store the shards' figures added up (the oldest pending age: the largest). */
  public Future<List<ServiceStats>> stats() {
    return store.shards().onEach(shard -> store.call(shard, Name.STATS, List.of(""))).map(rs -> {
      Map<String, ServiceStats> by = new java.util.TreeMap<>();
      for (Response r : rs) {
        for (Response s : r) {
          ServiceStats one = new ServiceStats(s.get(0).toString(), s.get(1).toLong(), s.get(2).toLong(),
              s.get(3).toLong(), s.get(4).toLong(), s.get(5).toLong(), s.get(6).toLong(), s.get(7).toLong());
          by.merge(one.service(), one, ServiceStats::plus);
        }
      }
      return rs.size() == 1 ? inOrder(rs.get(0), by) : new ArrayList<>(by.values());
    });
  }

  /** One shard: the script's order (services as Redis lists them), as before sharding. */
  private static List<ServiceStats> inOrder(Response r, Map<String, ServiceStats> by) {
    List<ServiceStats> out = new ArrayList<>(r.size());
    r.forEach(s -> out.add(by.get(s.get(0).toString())));
    return out;
  }

  /** The job's events with seq greater than {@code afterSeq}, in order (from its capped history). */
  public Future<List<JobEvent>> events(String jobId, long afterSeq, int limit) {
    return store.call(store.shards().of(jobId), Name.JOB_EVENTS,
            List.of("", jobId, Long.toString(Math.max(0, afterSeq)), Integer.toString(limit)))
        .map(r -> history(jobId, r));
  }

  /** Entries as emit (lib.lua) writes them: a JSON array {type, seq, status, ts, name, value, ...}. */
  static List<JobEvent> history(String jobId, Response r) {
    List<JobEvent> out = new ArrayList<>(r == null ? 0 : r.size());
    if (r == null) {
      return out;
    }
    for (Response e : r) {
      JsonArray a = new JsonArray(e.toString());
      Map<String, String> f = new HashMap<>(a.size());
      f.put("type", a.getString(0));
      f.put("job_id", jobId);
      f.put("seq", a.getString(1));
      f.put("status", a.getString(2));
      f.put("ts", a.getString(3));
      for (int i = 4; i + 1 < a.size(); i += 2) {
        f.put(a.getString(i), a.getString(i + 1));
      }
      out.add(JobEvent.fromFields(null, f));
    }
    return out;
  }

  /**
   * Event stream entries strictly after {@code afterId} ("0-0": from the start), oldest first. A sharded
   * store has one stream per shard: each is read after the same id and the entries merged by id
   * (their Redis times), at most {@code limit} in all; a job's own events keep their order.
   */
  public Future<List<JobEvent>> globalEvents(String afterId, int limit) {
    return store.shards().onEach(s -> store.send(Request.cmd(Command.XRANGE).arg(s.events()).arg("(" + afterId)
            .arg("+").arg("COUNT").arg(limit)).map(JobQueries::entries))
        .map(parts -> {
          List<JobEvent> all = new ArrayList<>();
          parts.forEach(all::addAll);
          if (parts.size() > 1) {
            all.sort(java.util.Comparator.comparing(JobEvent::streamId, JobQueries::compareStreamIds));
          }
          return all.size() > limit ? List.copyOf(all.subList(0, limit)) : all;
        });
  }

  static int compareStreamIds(String a, String b) {
    int da = a.indexOf('-');
    int db = b.indexOf('-');
    int c = Long.compare(Long.parseLong(a.substring(0, da)), Long.parseLong(b.substring(0, db)));
    return c != 0 ? c : Long.compare(Long.parseLong(a.substring(da + 1)), Long.parseLong(b.substring(db + 1)));
  }

  static List<JobEvent> entries(Response r) {
    List<JobEvent> out = new ArrayList<>(r == null ? 0 : r.size());
    if (r == null) {
      return out;
    }
    for (Response e : r) {
      out.add(JobEvent.fromFields(e.get(0).toString(), toMap(e.get(1))));
    }
    return out;
  }
}
