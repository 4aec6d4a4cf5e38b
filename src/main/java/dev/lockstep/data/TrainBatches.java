package dev.lockstep.data;

/**
 * One rank's training batches, epoch by epoch: {@link ShardedBatches} for row datasets, {@link TextWindows} for text.
 * With gradient accumulation ({@code update.accumulate_steps} k) a step is k calls of {@link #next}, each one
 * micro-batch; steps and positions count whole steps.
 */
public interface TrainBatches {
  /** Steps (global batches) per epoch. */
  int stepsPerEpoch();

  /** Starts epoch {@code epoch} at its first step. */
  void startEpoch(int epoch);

  /**
   * Positions so that the next {@link #next} returns step {@code stepInEpoch} of {@code epoch} (a resumed run);
   * {@code stepInEpoch == stepsPerEpoch()} means the epoch is finished.
   */
  void seek(int epoch, int stepInEpoch);

  /** The step within the epoch that the next {@link #next} delivers. */
  int stepInEpoch();

  /** Fills {@code into} with this rank's next (micro-)batch of the current step and advances; false when the epoch is over. */
  boolean next(Batch into);
}
