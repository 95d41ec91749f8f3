package io.emp.jobqueue.queue.store;

import io.emp.jobqueue.core.model.Job;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * One job-browser page out of the shards' parts. Every part is in browse order (newest created first,
 * then id, descending), so the page is their merge; the cursor is the page's last job, from which every
 * shard goes on. A shard that stopped short of the page (its call budget ran out) bounds the page: jobs
 * of other shards past where it stopped are left for the next page, so none is skipped or repeated.
 */
final class BrowseMerge {
  private BrowseMerge() {
  }

  /**
   * @param stoppedAt where the shard stopped short ('created:id'); null when it gave all it has, or more
   *                  than the page
   */
  record Part(List<Map<String, String>> jobs, String stoppedAt) {
  }

  private record Position(long created, String id) {
    static Position of(String cursor) {
      int colon = cursor.indexOf(':');
      return new Position(Long.parseLong(cursor.substring(0, colon)), cursor.substring(colon + 1));
    }

    static Position of(Map<String, String> job) {
      return new Position(Long.parseLong(job.get(Job.F.CREATED_AT)), job.get(Job.F.ID));
    }

    String cursor() {
      return created + ":" + id;
    }
  }

  /** Browse order: newest first, ties by id descending (as ZREVRANGEBYSCORE returns them). */
  private static final Comparator<Position> ORDER =
      Comparator.comparingLong(Position::created).thenComparing(Position::id).reversed();

  static BrowsePage page(List<Part> parts, int limit) {
    Position bound = null;
    for (Part p : parts) {
      if (p.stoppedAt() != null) {
        Position at = Position.of(p.stoppedAt());
        if (bound == null || ORDER.compare(at, bound) < 0) {
          bound = at;
        }
      }
    }
    List<Map<String, String>> all = new ArrayList<>();
    parts.forEach(p -> all.addAll(p.jobs()));
    if (parts.size() > 1) {
      all.sort(Comparator.comparing(Position::of, ORDER));
    }
    if (bound != null) {
      Position b = bound;
      all.removeIf(j -> ORDER.compare(Position.of(j), b) > 0);
    }
    if (all.size() > limit) {
      return page(all.subList(0, limit), Position.of(all.get(limit - 1)).cursor());
    }
    return page(all, bound == null ? null : bound.cursor());
  }

  private static BrowsePage page(List<Map<String, String>> hashes, String next) {
    return new BrowsePage(hashes.stream().map(JobView::json).toList(), next);
  }
}
