package dev.lockstep.update;

import java.util.Arrays;

/**
 * Per-rank compute time per step over a window, and its skew: the slowest rank's mean / the median rank's mean. The
 * median is the lower middle value for an even count, so with 2 ranks the skew compares slowest to fastest. Fed
 * identical figures (allreduced), every rank computes the identical skew.
 */
final class SkewWindow {
  private final double[] seconds;
  private final long[] steps;

  SkewWindow(int ranks) {
    seconds = new double[ranks];
    steps = new long[ranks];
  }

  void add(int rank, double computeSeconds, long stepCount) {
    seconds[rank] += computeSeconds;
    steps[rank] += stepCount;
  }

  /** Steps of the rank with the fewest in this window. */
  long fewestSteps() {
    return Arrays.stream(steps).min().orElse(0);
  }

  long totalSteps() {
    return Arrays.stream(steps).sum();
  }

  /** Slowest / median mean compute time per step; infinite when a rank took no step in the window. */
  double skew() {
    double[] mean = new double[seconds.length];
    for (int r = 0; r < mean.length; r++) {
      if (steps[r] == 0) {
        return Double.POSITIVE_INFINITY;
      }
      mean[r] = seconds[r] / steps[r];
    }
    Arrays.sort(mean);
    double median = mean[(mean.length - 1) / 2];
    return median > 0 ? mean[mean.length - 1] / median : 1.0;
  }

  /** Each rank's mean compute per step in ms and its step count, e.g. "ms/step by rank: 4.1 (12), 33.0 (3)". */
  String describe() {
    StringBuilder b = new StringBuilder("ms/step by rank:");
    for (int r = 0; r < seconds.length; r++) {
      b.append(r == 0 ? " " : ", ").append(String.format(java.util.Locale.ROOT, "%.1f (%d)",
          steps[r] == 0 ? 0.0 : 1e3 * seconds[r] / steps[r], steps[r]));
    }
    return b.toString();
  }

  void reset() {
    Arrays.fill(seconds, 0);
    Arrays.fill(steps, 0);
  }
}
