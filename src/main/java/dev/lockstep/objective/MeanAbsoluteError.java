package dev.lockstep.objective;

import dev.lockstep.tensor.ObjectiveKernels;

/**
 * Absolute (L1) error against value targets. Per row: loss = Σ_c |o_c − t_c|, summed over rows (the caller
 * divides by the global batch). Gradient: sign(o − t)·gradScale, 0 where o = t (the subgradient PyTorch uses).
 */
public final class MeanAbsoluteError implements Objective {
  @Override
  public String name() {
    return "mae";
  }

  @Override
  public ObjectiveKernels.Spec deviceSpec() {
    return ObjectiveKernels.Spec.of(ObjectiveKernels.Kind.MAE);
  }

  @Override
  public double lossAndGradient(float[] output, Targets targets, int rows, int cols, float[] grad, float gradScale) {
    Shapes.check("mae", output, rows, cols, grad);
    Shapes.checkValues("mae", targets, rows, cols);
    float[] t = targets.values();
    int n = rows * cols;
    double total = 0.0;
    for (int i = 0; i < n; i++) {
      double diff = (double) output[i] - t[i];
      total += Math.abs(diff);
      if (grad != null) {
        grad[i] = (float) (Math.signum(diff) * gradScale);
      }
    }
    return total;
  }
}
