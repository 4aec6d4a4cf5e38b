package dev.lockstep.update;

/**
 * What one rank measured in its step, before combining with the others: loss summed over its rows, etc.
 * {@code stopRequested}: this rank was asked to stop (SIGINT/SIGTERM); a strategy that combines the figures in a
 * collective carries it along, so every rank learns at the same step whether any rank was asked.
 */
public record StepReport(double lossSum, int correct, int rows, double computeSeconds, boolean stopRequested) {
  public StepReport(double lossSum, int correct, int rows, double computeSeconds) {
    this(lossSum, correct, rows, computeSeconds, false);
  }
}
