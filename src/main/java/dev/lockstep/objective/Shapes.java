package dev.lockstep.objective;

/** Argument checks shared by the objectives; messages name the objective and the offending row. */
final class Shapes {
  private Shapes() {}

  static void check(String objective, float[] output, int rows, int cols, float[] grad) {
    long n = (long) rows * cols;
    if (rows < 0 || cols <= 0 || output.length < n) {
      throw new IllegalArgumentException(objective + ": output of " + output.length + " floats is not [" + rows
          + ", " + cols + "]");
    }
    if (grad != null && grad.length < n) {
      throw new IllegalArgumentException(objective + ": gradient array of " + grad.length + " floats, need " + n);
    }
  }

  static void checkClasses(String objective, Targets targets, int rows, int cols) {
    int[] classes = targets.classes();
    if (classes.length < rows) {
      throw new IllegalArgumentException(objective + ": " + classes.length + " class targets for " + rows + " rows");
    }
    for (int r = 0; r < rows; r++) {
      if (classes[r] < 0 || classes[r] >= cols) {
        throw new IllegalArgumentException(objective + ": target class " + classes[r] + " at row " + r
            + " is outside [0, " + cols + ")");
      }
    }
  }

  static void checkValues(String objective, Targets targets, int rows, int cols) {
    if (targets.values() == null) {
      throw new IllegalArgumentException(objective + " needs value targets of width " + cols
          + (targets.classes() != null ? "; make class labels one-hot with OneHot.of(classes, " + cols + ")" : ""));
    }
    if (targets.width() != cols || targets.values().length < (long) rows * cols) {
      throw new IllegalArgumentException(objective + ": targets of width " + targets.width() + " ("
          + targets.values().length + " floats) for an output of [" + rows + ", " + cols + "]");
    }
  }
}
