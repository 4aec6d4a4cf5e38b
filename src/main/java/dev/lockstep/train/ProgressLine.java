package dev.lockstep.train;

import java.util.Locale;

/** The console line rank 0 prints every {@code output.log_every} steps; scripts may grep it, so it is stable. */
final class ProgressLine {
  private ProgressLine() {}

  static String format(long step, long totalSteps, int epoch, int epochs, double loss, double samplesPerSecond,
                       double commShare, double waitShare) {
    return String.format(Locale.ROOT,
        "step %d/%d | epoch %d/%d | loss %.4f | %.0f samples/s | comm %.0f%% | wait %.0f%%",
        step, totalSteps, epoch, epochs, loss, samplesPerSecond, 100 * commShare, 100 * waitShare);
  }
}
