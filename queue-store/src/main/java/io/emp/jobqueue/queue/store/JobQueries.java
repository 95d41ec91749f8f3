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
    return browseFrom(filter.toJson().encode(), limit, cursor == null ? "" : cursor, new ArrayList<>(), 1);
  }

  private Future<BrowsePage> browseFrom(String filter, int limit, String position, List<Map<String, String>> acc,
                                        int calls) {
    // one more than the page: whether anything follows decides between a cursor and null
    int want = limit + 1 - acc.size();
    return store.call(Name.BROWSE, List.of("", filter, position, Integer.toString(want), Integer.toString(BROWSE_BUDGET)))
        .compose(r -> {
          for (int i = 2; i < r.size(); i++) {
            acc.add(toMap(r.get(i)));
          }
          if (acc.size() > limit) {
            Map<String, String> last = acc.get(limit - 1);
            return Future.succeededFuture(page(acc.subList(0, limit),
                last.get(Job.F.CREATED_AT) + ":" + last.get(Job.F.ID)));
          }
          String pos = r.get(0).toString();
          if ("1".equals(r.get(1).toString()) || pos.isEmpty()) {
            return Future.succeededFuture(page(acc, null));
          }
          if (calls >= BROWSE_MAX_CALLS) {
            return Future.succeededFuture(page(acc, pos));
          }
          return browseFrom(filter, limit, pos, acc, calls + 1);
        });
  }

  private static BrowsePage page(List<Map<String, String>> hashes, String next) {
    return new BrowsePage(hashes.stream().map(JobView::json).toList(), next);
  }

  /** The job as the API shows it ({@link JobView}), or empty. */
  public Future<Optional<JsonObject>> view(String jobId) {
    return store.send(Request.cmd(Command.HGETALL).arg(store.keys().job(jobId))).map(r -> {
      Map<String, String> h = toMap(r);
      return h.isEmpty() ? Optional.<JsonObject>empty() : Optional.of(JobView.json(h));
    });
  }

  /** The steps of a workflow submitted so far: job id -> the trace context of its submit span. */
  public Future<Map<String, TraceContext>> workflowSteps(String workflowId) {
    return store.send(Request.cmd(Command.HGETALL).arg(store.keys().workflow(workflowId))).map(r -> StoreReplies.traces(toMap(r)));
  }

  /** Lists jobs by status and/or service (null = any), newest first for final states, queue order for pending. */
  public Future<JobPage> list(JobStatus status, String service, int limit, String cursor) {
    if (limit < 1 || limit > 500) {
      return Future.failedFuture(new JobQueueException(Code.VALIDATION, "limit must be within 1..500"));
    }
    if (cursor != null && !cursor.isEmpty() && !cursor.matches("\\d{1,2}:\\d{1,9}")) {
      return Future.failedFuture(new JobQueueException(Code.VALIDATION, "cursor is not one this API returned"));
    }
    return store.call(Name.LIST, List.of("", status == null ? "" : status.wire(), nz(service), nz(cursor),
        Integer.toString(limit))).map(r -> {
          List<Job> jobs = new ArrayList<>(r.size() - 1);
          for (int i = 1; i < r.size(); i++) {
            jobs.add(Job.fromHash(toMap(r.get(i))));
          }
          String next = r.get(0).toString();
          return new JobPage(jobs, next.isEmpty() ? null : next);
        });
  }

  public Future<List<ServiceStats>> stats() {
    return store.call(Name.STATS, List.of("")).map(r -> {
      List<ServiceStats> out = new ArrayList<>(r.size());
      for (Response s : r) {
        out.add(new ServiceStats(s.get(0).toString(), s.get(1).toLong(), s.get(2).toLong(), s.get(3).toLong(),
            s.get(4).toLong(), s.get(5).toLong(), s.get(6).toLong(), s.get(7).toLong()));
      }
      return out;
    });
  }

  /** The job's events with seq greater than {@code afterSeq}, in order (from its capped history). */
  public Future<List<JobEvent>> events(String jobId, long afterSeq, int limit) {
    return store.call(Name.JOB_EVENTS, List.of("", jobId, Long.toString(Math.max(0, afterSeq)), Integer.toString(limit)))
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

  /** Global stream entries strictly after {@code afterId} ("0" or "$"-less start: "0-0"). */
  public Future<List<JobEvent>> globalEvents(String afterId, int limit) {
    return store.send(Request.cmd(Command.XRANGE).arg(store.keys().events()).arg("(" + afterId).arg("+").arg("COUNT").arg(limit))
        .map(JobQueries::entries);
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
