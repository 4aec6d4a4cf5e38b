package dev.lockstep.objective;

import java.util.Map;

/**
 * Evaluation figures built from sums, so that ranks can each tally their shard and one SUM-allreduce of
 * {@link #sums()} gives exactly the counts a single rank would have (and the figures up to float summation order).
 */
public interface MetricTally {
  /** Adds a batch: output [rows, cols] against its targets. */
  void add(float[] output, Targets targets, int rows, int cols);

  /** The running sums, in a fixed layout; reduce them across ranks and pass the result to {@link #results}. */
  double[] sums();

  /** Named figures (numbers, or lists for per-class results; null where undefined) from reduced sums. */
  Map<String, Object> results(double[] reducedSums);
}
