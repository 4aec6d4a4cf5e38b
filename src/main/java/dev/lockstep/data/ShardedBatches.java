package dev.lockstep.data;

/**
 * One rank's training batches, arranged so that N ranks with batch B see, step for step, exactly the
 * samples one rank with batch N·B sees.
 *
 * <p>Each epoch visits the samples in {@link EpochOrder}'s permutation (same on every rank). Global batch g
 * is {@code order[g·N·B, (g+1)·N·B)}; rank r takes its sub-slice {@code [r·B, (r+1)·B)} of it. The
 * incomplete last global batch is dropped, so {@code stepsPerEpoch = n / (N·B)} and every batch is full;
 * the dropped samples differ from epoch to epoch when shuffling.
 *
 * <p>The position (epoch, step within epoch) is all the state there is: {@link #seek} restores it directly
 * for a resumed run.
 */
public final class ShardedBatches implements TrainBatches {
  private final Dataset ds;
  private final int rank;
  private final int ranks;
  private final int batchPerRank;
  private final int globalBatch;
  private final int stepsPerEpoch;
  private final EpochOrder epochOrder;
  private final int[] order; // [n] permutation of the current epoch
  private int orderEpoch = -1; // which epoch `order` holds; -1 = none yet
  private int epoch = -1;
  private int step;

  public ShardedBatches(Dataset ds, int rank, int ranks, int batchPerRank, long seed, boolean shuffle) {
    if (ranks <= 0 || rank < 0 || rank >= ranks) {
      throw new IllegalArgumentException("rank " + rank + " is not in [0, " + ranks + ")");
    }
    if (batchPerRank <= 0) {
      throw new IllegalArgumentException("data.batch_size: must be positive, got " + batchPerRank);
    }
    long global = (long) ranks * batchPerRank;
    if (global > ds.size()) {
      throw new DataException(ds.name() + ": " + ds.size() + " samples are fewer than one global batch ("
          + ranks + " ranks × data.batch_size " + batchPerRank + " = " + global + ")");
    }
    this.ds = ds;
    this.rank = rank;
    this.ranks = ranks;
    this.batchPerRank = batchPerRank;
    this.globalBatch = (int) global;
    this.stepsPerEpoch = ds.size() / globalBatch;
    this.epochOrder = new EpochOrder(ds.size(), seed, shuffle);
    this.order = new int[ds.size()];
  }

  /** Full global batches per epoch: {@code n / (ranks · batchPerRank)}; the remainder is dropped. */
  public int stepsPerEpoch() {
    return stepsPerEpoch;
  }

  public int batchPerRank() {
    return batchPerRank;
  }

  /** {@code ranks · batchPerRank}. */
  public int globalBatch() {
    return globalBatch;
  }

  /** Starts epoch {@code epoch} at its first step. */
  public void startEpoch(int epoch) {
    seek(epoch, 0);
  }

  /**
   * Positions so that the next {@link #next} returns step {@code stepInEpoch} of {@code epoch};
   * {@code stepInEpoch == stepsPerEpoch()} means the epoch is finished.
   */
  public void seek(int epoch, int stepInEpoch) {
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
    }
    if (stepInEpoch < 0 || stepInEpoch > stepsPerEpoch) {
      throw new IllegalArgumentException("step " + stepInEpoch + " is not in [0, " + stepsPerEpoch + "]");
    }
    if (orderEpoch != epoch) {
      epochOrder.fill(epoch, order);
      orderEpoch = epoch;
    }
    this.epoch = epoch;
    this.step = stepInEpoch;
  }

  /** Fills {@code into} with this rank's batch of the current step and advances; false when the epoch is over. */
  public boolean next(Batch into) {
    if (epoch < 0) {
      throw new IllegalStateException("call startEpoch or seek before next");
    }
    if (step >= stepsPerEpoch) {
      return false;
    }
    into.fill(ds, order, step * globalBatch + rank * batchPerRank, batchPerRank);
    step++;
    return true;
  }

  /** The current epoch (-1 before the first startEpoch/seek). */
  public int epoch() {
    return epoch;
  }

  /** The step within the epoch that the next {@link #next} delivers. */
  public int stepInEpoch() {
    return step;
  }

  public int rank() {
    return rank;
  }

  public int ranks() {
    return ranks;
  }
}
