package dev.lockstep.update;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Per-rank compute time per step over a window, and its skew: the slowest rank's typical step / the median rank's.
 * A rank's typical step is the median of its samples (a sample is one step, or one local-SGD round's mean), so a
 * single garbage-collection pause or JIT compilation does not make a straggler out of a healthy rank. The median
 * rank is the lower middle one for an even count, so with 2 ranks the skew compares slowest to fastest. Fed
 * identical figures (allreduced), every rank computes the identical skew.
 */
final class SkewWindow {
  private final List<List<Double>> perStep; // per rank: seconds per step of each sample
  private final long[] steps;

  SkewWindow(int ranks) {
    perStep = new ArrayList<>(ranks);
    for (int r = 0; r < ranks; r++) {
      perStep.add(new ArrayList<>());
    }
    steps = new long[ranks];
  }

  void add(int rank, double computeSeconds, long stepCount) {
    if (stepCount > 0) {
      perStep.get(rank).add(computeSeconds / stepCount);
      steps[rank] += stepCount;
    }
  }

  /** Steps of the rank with the fewest in this window. */
  long fewestSteps() {
    return Arrays.stream(steps).min().orElse(0);
  }

  long totalSteps() {
    return Arrays.stream(steps).sum();
  }

  /** Slowest / median typical compute time per step; infinite when a rank took no step in the window. */
  double skew() {
    double[] typical = new double[steps.length];
    for (int r = 0; r < typical.length; r++) {
      if (steps[r] == 0) {
        return Double.POSITIVE_INFINITY;
      }
      typical[r] = typical(r);
    }
    Arrays.sort(typical);
    double median = typical[(typical.length - 1) / 2];
    return median > 0 ? typical[typical.length - 1] / median : 1.0;
  }

  /**
   * The skew that none of the last {@code k} samples contradicts: the slowest rank's fastest recent step / the
   * median rank's slowest recent step (ranks ordered by typical step, as in {@link #skew}). At or above a ratio it
   * proves a straggler from a few steps, where the medians need a full window to outvote pauses; noise can only
   * lower it. Only the last k count, so warm-up steps early in the window cannot hold the verdict back.
   */
  double decisiveSkew(int k) {
    Integer[] order = new Integer[steps.length];
    double[] typical = new double[steps.length];
    for (int r = 0; r < order.length; r++) {
      if (steps[r] == 0) {
        return Double.POSITIVE_INFINITY;
      }
      order[r] = r;
      typical[r] = typical(r);
    }
    Arrays.sort(order, (a, b) -> Double.compare(typical[a], typical[b]));
    List<Double> slowest = recent(order[order.length - 1], k), median = recent(order[(order.length - 1) / 2], k);
    double fastestOfSlowest = slowest.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    double slowestOfMedian = median.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    return slowestOfMedian > 0 ? fastestOfSlowest / slowestOfMedian : 1.0;
  }

  private List<Double> recent(int rank, int k) {
    List<Double> all = perStep.get(rank);
    return all.subList(Math.max(0, all.size() - k), all.size());
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
    perStep.forEach(List::clear);
    Arrays.fill(steps, 0);
  }

  /** The median of rank r's samples (the mean of the middle two for an even count: a slow rank may have two). */
  private double typical(int r) {
    double[] v = perStep.get(r).stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int m = v.length / 2;
    return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
  }
}
