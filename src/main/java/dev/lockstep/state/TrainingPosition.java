package dev.lockstep.state;

/**
 * Where a run stands between two steps: {@code step} optimizer steps done, and the next step is step
 * {@code stepInEpoch} (0-based) of epoch {@code epoch} (0-based) in the data order, with {@code ranks} ranks of
 * {@code batchPerRank} samples each. {@code stepInEpoch} may equal the epoch's step count: the epoch's batches are
 * done but its end (evaluation) is not.
 */
public record TrainingPosition(long step, int epoch, int stepInEpoch, int ranks, int batchPerRank) {
  public TrainingPosition {
    if (step < 0 || epoch < 0 || stepInEpoch < 0 || ranks < 1 || batchPerRank < 1) {
      throw new IllegalArgumentException("invalid training position: step " + step + ", epoch " + epoch
          + ", step in epoch " + stepInEpoch + ", ranks " + ranks + ", batch per rank " + batchPerRank);
    }
  }

  public int globalBatch() {
    return ranks * batchPerRank;
  }

  /** Samples of the epoch's order already consumed: the data position independent of the number of ranks. */
  public long samplesIntoEpoch() {
    return (long) stepInEpoch * globalBatch();
  }
}
