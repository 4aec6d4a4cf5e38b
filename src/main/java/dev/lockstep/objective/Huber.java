package dev.lockstep.objective;

import dev.lockstep.tensor.ObjectiveKernels;

/**
 * Huber loss against value targets: squared near the target, linear beyond {@code delta}, so outliers pull
 * with a bounded force. Per element with d = o − t: ½·d² when |d| ≤ δ, else δ·(|d| − ½·δ); gradient
 * clamp(d, −δ, δ)·gradScale. Summed over columns and rows: PyTorch's {@code HuberLoss(delta, reduction="sum")}.
 */
public final class Huber implements Objective {
  private final double delta;

  public Huber(double delta) {
    if (!(delta > 0 && Double.isFinite(delta))) {
      throw new IllegalArgumentException("objective.delta: must be a positive number, got " + delta);
    }
    this.delta = delta;
  }

  @Override
  public String name() {
    return "huber";
  }

  @Override
  public ObjectiveKernels.Spec deviceSpec() {
    return new ObjectiveKernels.Spec(ObjectiveKernels.Kind.HUBER, 0f, null, (float) delta, false);
  }

  @Override
  public double lossAndGradient(float[] output, Targets targets, int rows, int cols, float[] grad, float gradScale) {
    Shapes.check("huber", output, rows, cols, grad);
    Shapes.checkValues("huber", targets, rows, cols);
    float[] t = targets.values();
    int n = rows * cols;
    double total = 0.0;
    for (int i = 0; i < n; i++) {
      double d = (double) output[i] - t[i];
      double a = Math.abs(d);
      total += a <= delta ? 0.5 * d * d : delta * (a - 0.5 * delta);
      if (grad != null) {
        grad[i] = (float) (Math.max(-delta, Math.min(delta, d)) * gradScale);
      }
    }
    return total;
  }
}
