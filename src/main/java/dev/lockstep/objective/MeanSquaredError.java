package dev.lockstep.objective;

import dev.lockstep.tensor.ObjectiveKernels;

/**
 * Squared error against value targets. Per row: loss = Σ_c (o_c − t_c)²; rows are summed (and the caller divides
 * by the global batch), so the reported mean is PyTorch's {@code MSELoss(reduction="sum")(o, t) / batch} — summed
 * over columns, averaged over rows (not PyTorch's default, which also averages over columns). Gradient:
 * 2·(o − t)·gradScale. Class labels must first be made one-hot with {@link OneHot#of}.
 */
public final class MeanSquaredError implements Objective {
  @Override
  public String name() {
    return "mse";
  }

  @Override
  public ObjectiveKernels.Spec deviceSpec() {
    return ObjectiveKernels.Spec.of(ObjectiveKernels.Kind.MSE);
  }

  @Override
  public double lossAndGradient(float[] output, Targets targets, int rows, int cols, float[] grad, float gradScale) {
    Shapes.check("mse", output, rows, cols, grad);
    Shapes.checkValues("mse", targets, rows, cols);
    float[] t = targets.values();
    int n = rows * cols;
    double total = 0.0;
    for (int i = 0; i < n; i++) {
      double diff = (double) output[i] - t[i];
      total += diff * diff;
      if (grad != null) {
        grad[i] = (float) (2.0 * diff * gradScale);
      }
    }
    return total;
  }
}
