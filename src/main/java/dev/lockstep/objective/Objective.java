package dev.lockstep.objective;

import dev.lockstep.tensor.ObjectiveKernels;

/**
 * A loss function: its value and its gradient with respect to the model output, computed on the host over
 * one rank's rows. Losses are <em>summed</em> over rows; the caller passes {@code gradScale} = 1 / global batch
 * so that after a SUM-allreduce every rank holds the gradient of the global-batch mean, whatever the rank count.
 */
public interface Objective {
  String name();

  /**
   * @param output [rows, cols] model output (logits for classification objectives)
   * @param grad   [rows, cols] written with gradScale · dLoss/dOutput, or null for the loss alone
   * @return the sum over rows of the per-row loss
   */
  double lossAndGradient(float[] output, Targets targets, int rows, int cols, float[] grad, float gradScale);

  /**
   * The fused device kernel computing this objective ({@link ObjectiveKernels}), or null when it has none. Its
   * math must be this class's: the GPU tests compare the two on random inputs.
   */
  default ObjectiveKernels.Spec deviceSpec() {
    return null;
  }

  /** The summed loss alone (evaluation). */
  default double loss(float[] output, Targets targets, int rows, int cols) {
    return lossAndGradient(output, targets, rows, cols, null, 0f);
  }
}
