package dev.lockstep.objective;

import dev.lockstep.tensor.ObjectiveKernels;

/**
 * Softmax cross-entropy on logits, with the softmax fused in, optional label smoothing ε and per-class weights
 * w. Per row, with q the (smoothed) target distribution and p = softmax(o):
 * loss = Σ_c w_c·q_c·(logsumexp(o) − o_c), gradient (p·Σ_c w_c·q_c − w·q)·gradScale — PyTorch's
 * {@code CrossEntropyLoss(weight, label_smoothing, reduction="sum")}. Hard targets: q = (1−ε)·onehot + ε/C;
 * soft targets t (a row per sample in {@link Targets#values()}): q = (1−ε)·t + ε·Σt/C. Computed in double with
 * the row maximum subtracted first, so |logits| in the hundreds stay finite.
 *
 * <p>The caller divides the sum by the global batch, not by Σ w_y as PyTorch's weighted mean does: that
 * denominator would need its own reduction across ranks, and the plain batch mean keeps N ranks == 1 rank.
 */
public final class CrossEntropy implements Objective {
  private final double smoothing;
  private final float[] weights; // [C] or null = all 1

  public CrossEntropy() {
    this(0.0, null);
  }

  public CrossEntropy(double labelSmoothing, float[] classWeights) {
    if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
      throw new IllegalArgumentException("objective.label_smoothing: must be in [0, 1), got " + labelSmoothing);
    }
    this.smoothing = labelSmoothing;
    this.weights = classWeights == null ? null : classWeights.clone();
  }

  @Override
  public String name() {
    return "cross_entropy";
  }

  @Override
  public ObjectiveKernels.Spec deviceSpec() {
    return new ObjectiveKernels.Spec(ObjectiveKernels.Kind.CROSS_ENTROPY, (float) smoothing, weights, 0f, false);
  }

  @Override
  public double lossAndGradient(float[] output, Targets targets, int rows, int cols, float[] grad, float gradScale) {
    Shapes.check("cross_entropy", output, rows, cols, grad);
    boolean hard = targets.classes() != null;
    if (hard) {
      Shapes.checkClasses("cross_entropy", targets, rows, cols);
    } else {
      Shapes.checkValues("cross_entropy", targets, rows, cols);
    }
    if (weights != null && weights.length != cols) {
      throw new IllegalArgumentException("objective.weights: " + weights.length + " class weights for an output of "
          + cols + " classes");
    }
    double[] q = new double[cols]; // this row's weighted target w_c·q_c
    double total = 0.0;
    for (int r = 0; r < rows; r++) {
      int base = r * cols;
      double logSumExp = Softmax.logSumExp(output, base, cols);
      weightedTarget(targets, hard, r, base, cols, q);
      double mass = 0.0; // Σ_c w_c·q_c
      for (int c = 0; c < cols; c++) {
        if (q[c] != 0.0) {
          mass += q[c];
          total += q[c] * (logSumExp - output[base + c]);
        }
      }
      if (grad != null) {
        for (int c = 0; c < cols; c++) {
          double p = Math.exp(output[base + c] - logSumExp);
          grad[base + c] = (float) ((p * mass - q[c]) * gradScale);
        }
      }
    }
    return total;
  }

  private void weightedTarget(Targets targets, boolean hard, int r, int base, int cols, double[] q) {
    double targetMass = 1.0;
    if (hard) {
      java.util.Arrays.fill(q, 0.0);
      q[targets.classes()[r]] = 1.0;
    } else {
      targetMass = 0.0;
      for (int c = 0; c < cols; c++) {
        q[c] = targets.values()[base + c];
        targetMass += q[c];
      }
    }
    for (int c = 0; c < cols; c++) {
      double smoothed = smoothing == 0.0 ? q[c] : (1 - smoothing) * q[c] + smoothing * targetMass / cols;
      q[c] = weights == null ? smoothed : weights[c] * smoothed;
    }
  }
}
