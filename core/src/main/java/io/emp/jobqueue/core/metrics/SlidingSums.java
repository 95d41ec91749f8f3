package io.emp.jobqueue.core.metrics;

/**
 * Sums of a few values over a sliding time window, in fixed buckets (a ring): O(buckets) memory
 * whatever the traffic. Times are epoch milliseconds (the job events' Redis-clock timestamps);
 * values older than the window, or from the future beyond one bucket, are ignored. Not thread-safe.
 */
public final class SlidingSums {
  private final long bucketMs;
  private final long[] stamps;
  private final double[][] sums;

  /** {@code fields} values per bucket; the window is {@code buckets * bucketMs}. */
  public SlidingSums(long bucketMs, int buckets, int fields) {
    if (bucketMs < 1 || buckets < 1 || fields < 1) {
      throw new IllegalArgumentException("bucketMs, buckets and fields must be positive");
    }
    this.bucketMs = bucketMs;
    this.stamps = new long[buckets];
    this.sums = new double[buckets][fields];
    java.util.Arrays.fill(stamps, Long.MIN_VALUE);
  }

  public long windowMs() {
    return bucketMs * stamps.length;
  }

  public void add(long atMs, int field, double value) {
    long b = Math.floorDiv(atMs, bucketMs);
    int i = (int) Math.floorMod(b, (long) stamps.length);
    if (stamps[i] != b) {
      if (stamps[i] > b) {
        return; // older than the window: its slot already holds a newer bucket
      }
      stamps[i] = b;
      java.util.Arrays.fill(sums[i], 0);
    }
    sums[i][field] += value;
  }

  /** The sum of {@code field} over the {@code lastMs} milliseconds up to {@code nowMs} (whole buckets). */
  public double sum(long nowMs, long lastMs, int field) {
    long newest = Math.floorDiv(nowMs, bucketMs);
    long oldest = newest - Math.max(1, (lastMs + bucketMs - 1) / bucketMs) + 1;
    double s = 0;
    for (int i = 0; i < stamps.length; i++) {
      if (stamps[i] >= oldest && stamps[i] <= newest + 1) {
        s += sums[i][field];
      }
    }
    return s;
  }

  /** The largest value of {@code field} in any bucket of the window (for a max kept per bucket via {@link #max}). */
  public void max(long atMs, int field, double value) {
    long b = Math.floorDiv(atMs, bucketMs);
    int i = (int) Math.floorMod(b, (long) stamps.length);
    if (stamps[i] != b) {
      if (stamps[i] > b) {
        return;
      }
      stamps[i] = b;
      java.util.Arrays.fill(sums[i], 0);
    }
    sums[i][field] = Math.max(sums[i][field], value);
  }

  public double maxOver(long nowMs, long lastMs, int field) {
    long newest = Math.floorDiv(nowMs, bucketMs);
    long oldest = newest - Math.max(1, (lastMs + bucketMs - 1) / bucketMs) + 1;
    double m = 0;
    for (int i = 0; i < stamps.length; i++) {
      if (stamps[i] >= oldest && stamps[i] <= newest + 1) {
        m = Math.max(m, sums[i][field]);
      }
    }
    return m;
  }
}
