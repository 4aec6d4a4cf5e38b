package dev.lockstep.objective;

/**
 * Softmax cross-entropy on logits, with the softmax fused in. Per row: loss = logsumexp(o) − o[class], computed
 * in double with the row maximum subtracted first, so |logits| in the hundreds stay finite. Gradient per row:
 * (softmax(o) − onehot(class)) · gradScale. Soft targets (a probability row per sample in
 * {@link Targets#values()}) are accepted too: loss = −Σ_c t_c·log softmax(o)_c, gradient (softmax·Σt − t)·gradScale.
 */
public final class CrossEntropy implements Objective {
  @Override
  public String name() {
    return "cross_entropy";
  }

  @Override
  public double lossAndGradient(float[] output, Targets targets, int rows, int cols, float[] grad, float gradScale) {
    return run(output, targets, rows, cols, grad, gradScale);
  }

  @Override
  public double loss(float[] output, Targets targets, int rows, int cols) {
    return run(output, targets, rows, cols, null, 0f);
  }

  private static double run(float[] output, Targets targets, int rows, int cols, float[] grad, float gradScale) {
    Shapes.check("cross_entropy", output, rows, cols, grad);
    boolean hard = targets.classes() != null;
    if (hard) {
      Shapes.checkClasses("cross_entropy", targets, rows, cols);
    } else {
      Shapes.checkValues("cross_entropy", targets, rows, cols);
    }
    double total = 0.0;
    for (int r = 0; r < rows; r++) {
      int base = r * cols;
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < cols; c++) {
        max = Math.max(max, output[base + c]);
      }
      double sumExp = 0.0;
      for (int c = 0; c < cols; c++) {
        sumExp += Math.exp(output[base + c] - max);
      }
      double logSumExp = max + Math.log(sumExp);
      double targetMass = 1.0;
      if (hard) {
        total += logSumExp - output[base + targets.classes()[r]];
      } else {
        targetMass = 0.0;
        for (int c = 0; c < cols; c++) {
          double t = targets.values()[base + c];
          targetMass += t;
          if (t != 0.0) {
            total += t * (logSumExp - output[base + c]);
          }
        }
      }
      if (grad != null) {
        for (int c = 0; c < cols; c++) {
          double p = Math.exp(output[base + c] - logSumExp);
          double t = hard ? (c == targets.classes()[r] ? 1.0 : 0.0) : targets.values()[base + c];
          grad[base + c] = (float) ((p * targetMass - t) * gradScale);
        }
      }
    }
    return total;
  }
}
