package dev.lockstep.objective;

import dev.lockstep.tensor.ObjectiveKernels;

/**
 * Binary cross-entropy on logits, one independent sigmoid per output column, so several labels per row are
 * allowed (multi-label). Per element, with target t in [0, 1]: loss = softplus(o) − o·t (= −t·log σ(o) −
 * (1−t)·log(1−σ(o)), written so that no exp overflows and no log sees 0), gradient (σ(o) − t)·gradScale.
 * Summed over columns and rows: PyTorch's {@code BCEWithLogitsLoss(reduction="sum")}.
 */
public final class BinaryCrossEntropy implements Objective {
  @Override
  public String name() {
    return "binary_cross_entropy";
  }

  @Override
  public ObjectiveKernels.Spec deviceSpec() {
    return ObjectiveKernels.Spec.of(ObjectiveKernels.Kind.BINARY_CROSS_ENTROPY);
  }

  @Override
  public double lossAndGradient(float[] output, Targets targets, int rows, int cols, float[] grad, float gradScale) {
    Shapes.check("binary_cross_entropy", output, rows, cols, grad);
    Shapes.checkValues("binary_cross_entropy", targets, rows, cols);
    float[] t = targets.values();
    int n = rows * cols;
    double total = 0.0;
    for (int i = 0; i < n; i++) {
      if (!(t[i] >= 0f && t[i] <= 1f)) {
        throw new IllegalArgumentException("binary_cross_entropy: target " + t[i] + " at row " + i / cols
            + ", column " + i % cols + " is outside [0, 1]");
      }
      double o = output[i];
      total += Softmax.softplus(o) - o * t[i];
      if (grad != null) {
        grad[i] = (float) ((Softmax.sigmoid(o) - t[i]) * gradScale);
      }
    }
    return total;
  }
}
