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
