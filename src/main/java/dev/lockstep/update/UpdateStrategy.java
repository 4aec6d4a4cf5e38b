package dev.lockstep.update;

import dev.lockstep.checkpointing.GradientListener;
import java.util.Map;

/**
 * How the gradients of all ranks become one weight update. Called once per step after backward, with the
 * rank's gradients in the model's flat gradient buffer; leaves the updated weights in the parameter buffer.
 *
 * <p>Asynchronous strategies let ranks run at their own pace between epoch ends; {@link #synchronize} is where they
 * meet again with identical weights (evaluation, checks and the end of the run come after it).
 */
public interface UpdateStrategy extends AutoCloseable {
  /** Makes every rank start from the same weights (rank 0's), checking first that the shapes agree. */
  void initialize();

  StepStats apply(StepReport local, float lr);

  /**
   * True right after {@link #apply} when every rank ends the current epoch at its next step boundary (an asynchronous
   * phase ended: a rank ran out of data, or auto switched back to sync); the caller then ends the epoch.
   */
  default boolean endsEpoch() {
    return false;
  }

  /**
   * Collective, at every epoch end: afterwards every replica holds the same weights. Returns the run's step count as
   * all ranks agree on it (asynchronous ranks may have taken different numbers of steps: the furthest rank's count).
   */
  default long synchronize(long localStep) {
    return localStep;
  }

  /**
   * Whether the next step's gradient should be this rank's own batch mean (scale 1/batch) rather than its share of
   * the global-batch mean (1/(ranks × batch)) that an update summing every rank's gradient needs. Local SGD steps each
   * replica on its own batch's mean; asked before every step, since auto changes mode between steps.
   */
  default boolean localGradientMean() {
    return false;
  }

  /** Whether the replicas are bit-identical after every step now (sync phases), so checksum checks apply. */
  default boolean replicasInSync() {
    return true;
  }

  /**
   * Right after {@link #apply}: the run's step count as every rank agrees on it when the replicas hold identical
   * weights now, else -1. Sync: every step, {@code localStep} itself. Local SGD: right after an averaging round,
   * the furthest rank's count (the ranks' own counts differ). Collective decisions within an epoch (mid-epoch
   * evaluation) are taken only at these points, where every rank computes the same answer.
   */
  default long identicalStep(long localStep) {
    return replicasInSync() ? localStep : -1;
  }

  /** The strategy's own figures for summary.json (staleness, switches); complete on rank 0. */
  default Map<String, Object> summary() {
    return Map.of();
  }

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
