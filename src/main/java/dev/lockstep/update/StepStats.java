package dev.lockstep.update;

/**
 * One step's figures over all ranks: summed loss/correct/rows of the global batch, each rank's compute time,
 * and this rank's seconds in communication (transfer) and waiting for slower ranks. {@code nonFiniteAt} is -1
 * for a normal step; otherwise the update was not applied because the allreduced gradient holds a NaN/Inf at
 * that flat parameter position, or (position = parameter count) the summed loss is not finite.
 * {@code stopVotes}: how many ranks asked to stop in this step ({@link StepReport#stopRequested}), the same on every
 * rank; -1 when the strategy did not combine that (asynchronous phases: the caller must agree another way).
 */
public record StepStats(
    double lossSum, long correct, long rows, double[] computeSecondsPerRank, double commSeconds, double waitSeconds,
    long nonFiniteAt, int stopVotes) {

  public StepStats(double lossSum, long correct, long rows, double[] computeSecondsPerRank, double commSeconds,
                   double waitSeconds, long nonFiniteAt) {
    this(lossSum, correct, rows, computeSecondsPerRank, commSeconds, waitSeconds, nonFiniteAt, -1);
  }

  public StepStats(double lossSum, long correct, long rows, double[] computeSecondsPerRank, double commSeconds,
                   double waitSeconds) {
    this(lossSum, correct, rows, computeSecondsPerRank, commSeconds, waitSeconds, -1);
  }

  public double meanLoss() {
    return rows == 0 ? Double.NaN : lossSum / rows;
  }

  /** True when the weights were left unchanged because the step's gradient or loss was not finite. */
  public boolean updateSkipped() {
    return nonFiniteAt >= 0;
  }
}
