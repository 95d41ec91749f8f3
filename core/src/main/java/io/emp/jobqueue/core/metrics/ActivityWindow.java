package io.emp.jobqueue.core.metrics;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The last few minutes of job activity in fixed buckets: submits, completions and failures per
 * bucket, and the submit-to-complete latency of the completions (p50, p95). Fed from the job-event
 * stream like {@link SlaWindow} (so every API node holds the same cluster-wide view); answers
 * GET /api/activity, which the monitor page draws as its throughput and latency charts.
 *
 * <p>Latency percentiles come from a bounded sample per bucket (reservoir sampling beyond
 * {@link #SAMPLES_PER_BUCKET}), so memory stays fixed however many jobs finish. Not thread-safe:
 * one owner feeds and reads it.
 */
public final class ActivityWindow {
  public static final long DEFAULT_BUCKET_MS = 60_000;
  public static final int DEFAULT_BUCKETS = 15;
  static final int SAMPLES_PER_BUCKET = 2_048;

  private final long bucketMs;
  private final Bucket[] ring;
  /** Fixed seed: the same events give the same percentiles (tests, and two API nodes alike). */
  private final SplittableRandom random = new SplittableRandom(42);

  private static final class Bucket {
    long index = Long.MIN_VALUE;
    long submitted;
    long completed;
    long failed;
    long seen;
    long[] latencies = new long[16];
    int size;

    void reset(long idx) {
      index = idx;
      submitted = 0;
      completed = 0;
      failed = 0;
      seen = 0;
      size = 0;
    }
  }

  public ActivityWindow() {
    this(DEFAULT_BUCKET_MS, DEFAULT_BUCKETS);
  }

  public ActivityWindow(long bucketMs, int buckets) {
    if (bucketMs <= 0 || buckets <= 0) {
      throw new IllegalArgumentException("bucketMs and buckets must be > 0");
    }
    this.bucketMs = bucketMs;
    this.ring = new Bucket[buckets];
    for (int i = 0; i < buckets; i++) {
      ring[i] = new Bucket();
    }
  }

  public void submitted(long atMs) {
    Bucket b = bucket(atMs);
    if (b != null) {
      b.submitted++;
    }
  }

  /** A job completed at {@code atMs}, {@code latencyMs} after its submit (negative: unknown, counted only). */
  public void completed(long atMs, long latencyMs) {
    Bucket b = bucket(atMs);
    if (b == null) {
      return;
    }
    b.completed++;
    if (latencyMs >= 0) {
      sample(b, latencyMs);
    }
  }

  public void failed(long atMs) {
    Bucket b = bucket(atMs);
    if (b != null) {
      b.failed++;
    }
  }

  /**
   * {@code {bucket_ms, buckets: [{t, submitted, completed, failed, p50_ms, p95_ms}]}}: every bucket
   * of the window ending with the one holding {@code nowMs}, oldest first, empty ones as zeros
   * (percentiles null when the bucket has no completion with a known latency).
   */
  public JsonObject toJson(long nowMs) {
    long last = Math.floorDiv(nowMs, bucketMs);
    JsonArray out = new JsonArray();
    for (long idx = last - ring.length + 1; idx <= last; idx++) {
      Bucket b = ring[slot(idx)];
      JsonObject o = new JsonObject().put("t", idx * bucketMs);
      if (b.index == idx) {
        long[] sorted = Arrays.copyOf(b.latencies, b.size);
        Arrays.sort(sorted);
        o.put("submitted", b.submitted).put("completed", b.completed).put("failed", b.failed)
            .put("p50_ms", percentile(sorted, 0.50)).put("p95_ms", percentile(sorted, 0.95));
      } else {
        o.put("submitted", 0L).put("completed", 0L).put("failed", 0L).putNull("p50_ms").putNull("p95_ms");
      }
      out.add(o);
    }
    return new JsonObject().put("bucket_ms", bucketMs).put("buckets", out);
  }

  /** Nearest-rank percentile of a sorted sample; null for an empty one. */
  static Long percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return null;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  private void sample(Bucket b, long latencyMs) {
    b.seen++;
    if (b.size < SAMPLES_PER_BUCKET) {
      if (b.size == b.latencies.length) {
        b.latencies = Arrays.copyOf(b.latencies, Math.min(SAMPLES_PER_BUCKET, b.size * 2));
      }
      b.latencies[b.size++] = latencyMs;
      return;
    }
    // reservoir sampling: each of the `seen` latencies stays with the same probability
    long j = random.nextLong(b.seen);
    if (j < SAMPLES_PER_BUCKET) {
      b.latencies[(int) j] = latencyMs;
    }
  }

  /** The bucket of {@code atMs}, recycled when it held an older minute; null when too old for the window. */
  private Bucket bucket(long atMs) {
    long idx = Math.floorDiv(atMs, bucketMs);
    Bucket b = ring[slot(idx)];
    if (b.index == idx) {
      return b;
    }
    if (b.index > idx) {
      return null; // an event older than the window (its slot already holds a later minute)
    }
    b.reset(idx);
    return b;
  }

  private int slot(long idx) {
    return (int) Math.floorMod(idx, (long) ring.length);
  }
}
