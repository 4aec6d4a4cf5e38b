package dev.lockstep.metrics;

import java.util.Locale;

/** The live progress line of one epoch: bar, steps, ETA, loss, accuracy, throughput, communication share. */
public final class ProgressBar {
  static final int BAR_WIDTH = 24;

  private ProgressBar() {}

  /**
   * @param done steps finished in this epoch, of {@code total}
   * @param elapsedSeconds wall time of this epoch so far (the ETA extrapolates it)
   */
  public static String render(int epoch, int epochs, long done, long total, double elapsedSeconds, double loss,
                              double accuracy, double samplesPerSecond, double commShare) {
    long filled = total <= 0 ? BAR_WIDTH : Math.min(BAR_WIDTH, done * BAR_WIDTH / total);
    String bar = "#".repeat((int) filled) + "-".repeat(BAR_WIDTH - (int) filled);
    String eta = done >= total ? "done" : done == 0 ? "ETA --:--"
        : "ETA " + clock(elapsedSeconds / done * (total - done));
    return String.format(Locale.ROOT,
        "epoch %d/%d [%s] %d/%d %s | loss %.4f | acc %.3f | %.0f samples/s | comm %.0f%%",
        epoch, epochs, bar, done, total, eta, loss, accuracy, samplesPerSecond, 100 * commShare);
  }

  /** m:ss, or h:mm:ss from an hour on. */
  static String clock(double seconds) {
    long s = Math.round(Math.max(0, seconds));
    return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
