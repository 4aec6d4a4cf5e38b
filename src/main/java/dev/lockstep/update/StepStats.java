package dev.lockstep.update;

/**
 * One step's figures over all ranks: summed loss/correct/rows of the global batch, each rank's compute time,
 * and this rank's seconds in communication (transfer) and waiting for slower ranks.
 */
public record StepStats(
    double lossSum, long correct, long rows, double[] computeSecondsPerRank, double commSeconds, double waitSeconds) {

  public double meanLoss() {
    return rows == 0 ? Double.NaN : lossSum / rows;
  }
}
