package dev.lockstep.nn;

/**
 * What a forward pass is, for the layers whose behaviour depends on it (dropout, batch norm). Handed down by the
 * step executor before each pass; one per rank, never static (ranks share one JVM under multicore).
 *
 * @param training   training pass (dropout drops, batch norm uses batch statistics) or evaluation
 * @param seed       run.seed: with the step and the layer it keys dropout's mask
 * @param step       the 0-based training step (the same on every rank, restored on resume)
 * @param firstRow   global index of the rank's first row in the step's global batch (rank × batch per rank):
 *                   dropout masks rows by their global index, so N ranks drop exactly what 1 rank would
 * @param ranks      cross-rank sums for batch norm (SINGLE on one rank)
 * @param recompute  a gradient-checkpointing recompute of a pass already run this step: layers must produce the
 *                   same output and must not update state (running statistics) a second time
 */
public record PassContext(boolean training, long seed, long step, long firstRow, CrossRankSum ranks,
                          boolean recompute) {
  /** Evaluation: no dropout, batch norm on running statistics. */
  public static final PassContext EVAL = new PassContext(false, 0, 0, 0, CrossRankSum.SINGLE, false);

  /** A training step on a single rank. */
  public static PassContext training(long seed, long step) {
    return new PassContext(true, seed, step, 0, CrossRankSum.SINGLE, false);
  }

  public PassContext asRecompute() {
    return new PassContext(training, seed, step, firstRow, ranks, true);
  }
}
