package dev.lockstep.objective;

import java.util.List;

/**
 * Weight penalties added to the objective: R(w) = l2·Σw² + l1·Σ|w| over the given slices of the flat parameter
 * buffer (the caller passes the linear layers' weight matrices, not biases). Gradient 2·l2·w + l1·sign(w)
 * (0 at w = 0). Unlike AdamW's decoupled weight decay this is part of the loss: it is reported in it and goes
 * through the optimizer's moment estimates like any other gradient.
 *
 * <p>R depends on the weights only, not on the batch, so in data-parallel training it must enter the global
 * sum exactly once: one rank adds {@code globalBatch · R} to its loss sum and ∇R (unscaled) to its gradient
 * before the SUM-allreduce; the mean loss is then data term + R, the same for every rank count.
 */
public final class Regularization {
  /** A slice {@code [offset, offset + length)} of the flat parameter buffer. */
  public record Slice(int offset, int length) {}

  private final double l2;
  private final double l1;

  public Regularization(double l2, double l1) {
    if (!(l2 >= 0 && Double.isFinite(l2))) {
      throw new IllegalArgumentException("objective.l2: must be a finite number >= 0, got " + l2);
    }
    if (!(l1 >= 0 && Double.isFinite(l1))) {
      throw new IllegalArgumentException("objective.l1: must be a finite number >= 0, got " + l1);
    }
    this.l2 = l2;
    this.l1 = l1;
  }

  public double l2() {
    return l2;
  }

  public double l1() {
    return l1;
  }

  /** False when both coefficients are 0: the trainer then skips the weight download entirely. */
  public boolean active() {
    return l2 != 0 || l1 != 0;
  }

  /** R(w) over the slices. */
  public double value(float[] params, List<Slice> slices) {
    return run(params, null, slices);
  }

  /** Adds ∇R into {@code grad} (same layout as params) and returns R(w). */
  public double addGradient(float[] params, float[] grad, List<Slice> slices) {
    return run(params, grad, slices);
  }

  private double run(float[] params, float[] grad, List<Slice> slices) {
    double squares = 0.0, absolutes = 0.0;
    for (Slice s : slices) {
      for (int i = s.offset(); i < s.offset() + s.length(); i++) {
        double w = params[i];
        squares += w * w;
        absolutes += Math.abs(w);
        if (grad != null) {
          grad[i] += (float) (2 * l2 * w + l1 * Math.signum(w));
        }
      }
    }
    return l2 * squares + l1 * absolutes;
  }
}
