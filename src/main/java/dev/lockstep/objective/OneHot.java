package dev.lockstep.objective;

/** Turns class labels into dense one-hot value targets, for value objectives (mse) on classification data. */
public final class OneHot {
  private OneHot() {}

  /** [rows] class ids → [rows, width] values with a single 1 per row. */
  public static Targets of(int[] classes, int width) {
    float[] values = new float[Math.multiplyExact(classes.length, width)];
    for (int r = 0; r < classes.length; r++) {
      if (classes[r] < 0 || classes[r] >= width) {
        throw new IllegalArgumentException("one-hot: class " + classes[r] + " at row " + r + " is outside [0, "
            + width + ")");
      }
      values[r * width + classes[r]] = 1f;
    }
    return Targets.ofValues(values, width);
  }
}
