package dev.lockstep.update;

import java.util.Arrays;

/**
 * Per-rank compute time per step over a window, and its skew: the slowest rank's typical step / the median rank's.
 * A rank's typical step is the median of its samples (a sample is one step, or one local-SGD round's mean), so a
 * single garbage-collection pause or JIT compilation does not make a straggler out of a healthy rank. The median
 * rank is the lower middle one for an even count, so with 2 ranks the skew compares slowest to fastest. Fed
 * identical figures (allreduced), every rank computes the identical skew. Auto asks after every sync step, so the
 * samples live in primitive arrays and nothing is allocated once they have grown to a window.
 */
final class SkewWindow {
  private double[][] samples; // per rank: seconds per step of each sample, samples[r][0 .. count[r])
  private final int[] count;
  private final long[] steps;
  private double[] scratch = new double[16];
  private final double[] typical;
  private final int[] order;

  SkewWindow(int ranks) {
    samples = new double[ranks][16];
    count = new int[ranks];
    steps = new long[ranks];
    typical = new double[ranks];
    order = new int[ranks];
  }

  void add(int rank, double computeSeconds, long stepCount) {
    if (stepCount > 0) {
      if (count[rank] == samples[rank].length) {
        samples[rank] = Arrays.copyOf(samples[rank], 2 * count[rank]);
      }
      samples[rank][count[rank]++] = computeSeconds / stepCount;
      steps[rank] += stepCount;
    }
  }

  /** Steps of the rank with the fewest in this window. */
  long fewestSteps() {
    long fewest = Long.MAX_VALUE;
    for (long s : steps) {
      fewest = Math.min(fewest, s);
    }
    return steps.length == 0 ? 0 : fewest;
  }

  long totalSteps() {
    long total = 0;
    for (long s : steps) {
      total += s;
    }
    return total;
  }

  /** Slowest / median typical compute time per step; infinite when a rank took no step in the window. */
  double skew() {
    if (!rankByTypical()) {
      return Double.POSITIVE_INFINITY;
    }
    double median = typical[order[(order.length - 1) / 2]];
    return median > 0 ? typical[order[order.length - 1]] / median : 1.0;
  }

  /**
   * The skew that none of the last {@code k} samples contradicts: the slowest rank's fastest recent step / the
   * median rank's slowest recent step (ranks ordered by typical step, as in {@link #skew}). At or above a ratio it
   * proves a straggler from a few steps, where the medians need a full window to outvote pauses; noise can only
   * lower it. Only the last k count, so warm-up steps early in the window cannot hold the verdict back.
   */
  double decisiveSkew(int k) {
    if (!rankByTypical()) {
      return Double.POSITIVE_INFINITY;
    }
    int slowest = order[order.length - 1], median = order[(order.length - 1) / 2];
    double fastestOfSlowest = Double.POSITIVE_INFINITY, slowestOfMedian = 0;
    for (int i = Math.max(0, count[slowest] - k); i < count[slowest]; i++) {
      fastestOfSlowest = Math.min(fastestOfSlowest, samples[slowest][i]);
    }
    for (int i = Math.max(0, count[median] - k); i < count[median]; i++) {
      slowestOfMedian = Math.max(slowestOfMedian, samples[median][i]);
    }
    return slowestOfMedian > 0 ? fastestOfSlowest / slowestOfMedian : 1.0;
  }

  /**
   * The skew of the pace itself in an async window: the median rank's step count / the fewest (infinite when a rank
   * took none). The ranks step at their own pace there, so the counts show a straggler even when contention (the
   * parameter server's thread, a shared core) inflates the fast ranks' compute times and evens out {@link #skew}.
   */
  double paceSkew() {
    long[] sorted = steps.clone();
    Arrays.sort(sorted);
    return sorted[0] == 0 ? Double.POSITIVE_INFINITY : (double) sorted[sorted.length / 2] / sorted[0];
  }

  /** Each rank's typical compute per step in ms and its step count, e.g. "ms/step by rank: 4.1 (12), 33.0 (3)". */
  String describe() {
    StringBuilder b = new StringBuilder("ms/step by rank:");
    for (int r = 0; r < steps.length; r++) {
      b.append(r == 0 ? " " : ", ").append(String.format(java.util.Locale.ROOT, "%.1f (%d)",
          steps[r] == 0 ? 0.0 : 1e3 * typical(r), steps[r]));
    }
    return b.toString();
  }

  void reset() {
    Arrays.fill(count, 0);
    Arrays.fill(steps, 0);
  }

  /** Fills typical[] and order[] (ranks by typical step, ascending, stable); false when a rank has no sample. */
  private boolean rankByTypical() {
    for (int r = 0; r < steps.length; r++) {
      if (steps[r] == 0) {
        return false;
      }
      typical[r] = typical(r);
      order[r] = r;
    }
    for (int i = 1; i < order.length; i++) { // insertion sort: a handful of ranks
      int r = order[i], j = i - 1;
      while (j >= 0 && typical[order[j]] > typical[r]) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = r;
    }
    return true;
  }

  /** The median of rank r's samples (the mean of the middle two for an even count: a slow rank may have two). */
  private double typical(int r) {
    int n = count[r];
    if (scratch.length < n) {
      scratch = new double[2 * n];
    }
    System.arraycopy(samples[r], 0, scratch, 0, n);
    Arrays.sort(scratch, 0, n);
    int m = n / 2;
    return n % 2 == 1 ? scratch[m] : (scratch[m - 1] + scratch[m]) / 2;
  }
}
