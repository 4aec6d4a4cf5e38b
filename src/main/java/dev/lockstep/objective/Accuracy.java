package dev.lockstep.objective;

/** Counts rows whose arg-max output equals the target class (ties go to the lowest index). */
public final class Accuracy {
  private Accuracy() {}

  /** output: [rows, cols]; classes: [rows]. */
  public static int correct(float[] output, int[] classes, int rows, int cols) {
    int hits = 0;
    for (int r = 0; r < rows; r++) {
      if (argmax(output, r * cols, cols) == classes[r]) {
        hits++;
      }
    }
    return hits;
  }

  /** Class targets as they are; value targets (one-hot or soft) by their arg-max. */
  public static int correct(float[] output, Targets targets, int rows, int cols) {
    if (targets.classes() != null) {
      return correct(output, targets.classes(), rows, cols);
    }
    int hits = 0;
    for (int r = 0; r < rows; r++) {
      if (argmax(output, r * cols, cols) == argmax(targets.values(), r * cols, cols)) {
        hits++;
      }
    }
    return hits;
  }

  static int argmax(float[] row, int offset, int cols) {
    int best = 0;
    for (int c = 1; c < cols; c++) {
      if (row[offset + c] > row[offset + best]) {
        best = c;
      }
    }
    return best;
  }
}
