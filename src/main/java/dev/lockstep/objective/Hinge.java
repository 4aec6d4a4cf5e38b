package dev.lockstep.objective;

import dev.lockstep.tensor.ObjectiveKernels;

/**
 * Multi-class hinge (SVM) loss on raw scores, against class ids.
 * <ul>
 *   <li>Crammer–Singer: per row, m = 1 + max_{j≠y} o_j − o_y; loss = max(0, m) (squared: max(0, m)²). The
 *       gradient pushes the best wrong class down and the true class up when m &gt; 0 — PyTorch's
 *       {@code MultiMarginLoss} uses the sum over j instead of the max.
 *   <li>One-vs-rest: per row, Σ_c max(0, 1 − s_c·o_c) with s_c = +1 for the true class, −1 otherwise
 *       (squared: each term squared); each column is its own binary SVM.
 * </ul>
 * Summed over rows; the gradient is written times gradScale. Needs at least two classes.
 */
public final class Hinge implements Objective {
  private final boolean crammerSinger;
  private final boolean squared;

  public Hinge(boolean crammerSinger, boolean squared) {
    this.crammerSinger = crammerSinger;
    this.squared = squared;
  }

  @Override
  public String name() {
    return "hinge";
  }

  @Override
  public ObjectiveKernels.Spec deviceSpec() {
    return new ObjectiveKernels.Spec(crammerSinger ? ObjectiveKernels.Kind.HINGE_CRAMMER_SINGER
        : ObjectiveKernels.Kind.HINGE_ONE_VS_REST, 0f, null, 0f, squared);
  }

  @Override
  public double lossAndGradient(float[] output, Targets targets, int rows, int cols, float[] grad, float gradScale) {
    Shapes.check("hinge", output, rows, cols, grad);
    if (targets.classes() == null) {
      throw new IllegalArgumentException("hinge needs class targets (one class id per row), not value targets");
    }
    Shapes.checkClasses("hinge", targets, rows, cols);
    if (cols < 2) {
      throw new IllegalArgumentException("hinge: needs at least 2 output columns (one score per class), got " + cols);
    }
    if (grad != null) {
      java.util.Arrays.fill(grad, 0, rows * cols, 0f);
    }
    double total = 0.0;
    for (int r = 0; r < rows; r++) {
      int base = r * cols;
      int y = targets.classes()[r];
      total += crammerSinger ? crammerSinger(output, base, cols, y, grad, gradScale)
          : oneVsRest(output, base, cols, y, grad, gradScale);
    }
    return total;
  }

  private double crammerSinger(float[] o, int base, int cols, int y, float[] grad, float gradScale) {
    int rival = y == 0 ? 1 : 0;
    for (int c = 0; c < cols; c++) {
      if (c != y && o[base + c] > o[base + rival]) {
        rival = c;
      }
    }
    double m = 1.0 + o[base + rival] - o[base + y];
    if (m <= 0) {
      return 0.0;
    }
    if (grad != null) {
      double d = (squared ? 2 * m : 1.0) * gradScale;
      grad[base + rival] = (float) d;
      grad[base + y] = (float) -d;
    }
    return squared ? m * m : m;
  }

  private double oneVsRest(float[] o, int base, int cols, int y, float[] grad, float gradScale) {
    double total = 0.0;
    for (int c = 0; c < cols; c++) {
      double s = c == y ? 1.0 : -1.0;
      double m = 1.0 - s * o[base + c];
      if (m > 0) {
        total += squared ? m * m : m;
        if (grad != null) {
          grad[base + c] = (float) (-s * (squared ? 2 * m : 1.0) * gradScale);
        }
      }
    }
    return total;
  }
}
