package dev.lockstep.update;

import dev.lockstep.checkpointing.GradientListener;

/**
 * How the gradients of all ranks become one weight update. Called once per step after backward, with the
 * rank's gradients in the model's flat gradient buffer; leaves the updated weights in the parameter buffer.
 */
public interface UpdateStrategy extends AutoCloseable {
  /** Makes every rank start from the same weights (rank 0's), checking first that the shapes agree. */
  void initialize();

  StepStats apply(StepReport local, float lr);

  /**
   * What the step executor should tell as each layer's gradient becomes final during backward, so communication
   * can start early; null when the strategy does not use it. The listener runs on the rank thread.
   */
  default GradientListener gradientListener() {
    return null;
  }

  /** Releases what the strategy holds (e.g. its communication thread); after the last step. */
  @Override
  default void close() {}
}
