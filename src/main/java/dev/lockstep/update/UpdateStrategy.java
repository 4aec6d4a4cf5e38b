package dev.lockstep.update;

/**
 * How the gradients of all ranks become one weight update. Called once per step after backward, with the
 * rank's gradients in the model's flat gradient buffer; leaves the updated weights in the parameter buffer.
 */
public interface UpdateStrategy {
  /** Makes every rank start from the same weights (rank 0's), checking first that the shapes agree. */
  void initialize();

  StepStats apply(StepReport local, float lr);
}
