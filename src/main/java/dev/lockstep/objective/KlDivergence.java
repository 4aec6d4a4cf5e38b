package dev.lockstep.objective;

import dev.lockstep.tensor.ObjectiveKernels;

/**
 * Kullback–Leibler divergence KL(t ‖ softmax(o)) from a target distribution t (a row per sample, entries ≥ 0) to
 * the model's softmax on logits o: per row Σ_c t_c·(log t_c − log softmax(o)_c), with 0·log 0 = 0; gradient
 * (softmax(o)·Σt − t)·gradScale. Equal to soft-target cross-entropy minus the target's entropy, so it is 0 at a
 * perfect fit — handy for distillation. Unlike PyTorch's {@code KLDivLoss} it takes logits, not log-probabilities.
 */
public final class KlDivergence implements Objective {
  @Override
  public String name() {
    return "kl_divergence";
  }

  @Override
  public ObjectiveKernels.Spec deviceSpec() {
    return ObjectiveKernels.Spec.of(ObjectiveKernels.Kind.KL_DIVERGENCE);
  }

  @Override
  public double lossAndGradient(float[] output, Targets targets, int rows, int cols, float[] grad, float gradScale) {
    Shapes.check("kl_divergence", output, rows, cols, grad);
    Shapes.checkValues("kl_divergence", targets, rows, cols);
    float[] t = targets.values();
    double total = 0.0;
    for (int r = 0; r < rows; r++) {
      int base = r * cols;
      double logSumExp = Softmax.logSumExp(output, base, cols);
      double mass = 0.0;
      for (int c = 0; c < cols; c++) {
        double tc = t[base + c];
        if (!(tc >= 0)) {
          throw new IllegalArgumentException("kl_divergence: target " + tc + " at row " + r + ", column " + c
              + " is not a probability (must be >= 0)");
        }
        if (tc > 0) {
          mass += tc;
          total += tc * (Math.log(tc) - (output[base + c] - logSumExp));
        }
      }
      if (grad != null) {
        for (int c = 0; c < cols; c++) {
          double p = Math.exp(output[base + c] - logSumExp);
          grad[base + c] = (float) ((p * mass - t[base + c]) * gradScale);
        }
      }
    }
    return total;
  }
}
