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
 * <p>Gradient accumulation ({@code update.accumulate_steps} k): a step is k micro-batches, and its global batch of
 * k·N·B samples is {@code order[g·k·N·B, (g+1)·k·N·B)}; micro-batch m of it is the m-th run of N·B, of which rank r
 * takes {@code [r·B, (r+1)·B)}. So k micro-batches on N ranks cover exactly the samples of one rank with batch
 * k·N·B (an exact equivalence, up to float summation order), and {@code stepsPerEpoch = n / (k·N·B)}.
 *
 * <p>The position (epoch, step within epoch) is all the state there is: {@link #seek} restores it directly
 * for a resumed run (steps are whole: positions between micro-batches are never saved).
 */
public final class ShardedBatches implements TrainBatches {
  private final Dataset ds;
  private final int rank;
  private final int ranks;
  private final int batchPerRank;
  private final int globalBatch;
  private final int microBatches; // k per step
  private final int stepsPerEpoch;
  private final EpochOrder epochOrder;
  private final int[] order; // [n] permutation of the current epoch
  private int orderEpoch = -1; // which epoch `order` holds; -1 = none yet
  private int epoch = -1;
  private int step;
  private int micro; // micro-batches of `step` already delivered

  public ShardedBatches(Dataset ds, int rank, int ranks, int batchPerRank, long seed, boolean shuffle) {
    this(ds, rank, ranks, batchPerRank, 1, seed, shuffle);
  }

  /** {@code microBatches} (k ≥ 1): each step is k calls of {@link #next}, see the class comment. */
  public ShardedBatches(Dataset ds, int rank, int ranks, int batchPerRank, int microBatches, long seed,
                        boolean shuffle) {
    if (ranks <= 0 || rank < 0 || rank >= ranks) {
      throw new IllegalArgumentException("rank " + rank + " is not in [0, " + ranks + ")");
    }
    if (batchPerRank <= 0) {
      throw new IllegalArgumentException("data.batch_size: must be positive, got " + batchPerRank);
    }
    if (microBatches <= 0) {
      throw new IllegalArgumentException("update.accumulate_steps: must be positive, got " + microBatches);
    }
    long global = (long) ranks * batchPerRank;
    if (global * microBatches > ds.size()) {
      throw new DataException(ds.name() + ": " + ds.size() + " samples are fewer than one global batch ("
          + ranks + " ranks × data.batch_size " + batchPerRank + (microBatches > 1 ? " × update.accumulate_steps "
          + microBatches : "") + " = " + global * microBatches + ")");
    }
    this.ds = ds;
    this.rank = rank;
    this.ranks = ranks;
    this.batchPerRank = batchPerRank;
    this.globalBatch = (int) global;
    this.microBatches = microBatches;
    this.stepsPerEpoch = (int) (ds.size() / (global * microBatches));
    this.epochOrder = new EpochOrder(ds.size(), seed, shuffle);
    this.order = new int[ds.size()];
  }

  /** Full steps per epoch: {@code n / (k · ranks · batchPerRank)}; the remainder is dropped. */
  public int stepsPerEpoch() {
    return stepsPerEpoch;
  }

  public int batchPerRank() {
    return batchPerRank;
  }

  /** {@code ranks · batchPerRank}: the samples of one micro-batch over all ranks. */
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
    this.micro = 0;
  }

  /**
   * Fills {@code into} with this rank's next micro-batch of the current step (the step's batch when k = 1) and
   * advances; false when the epoch is over.
   */
  public boolean next(Batch into) {
    if (epoch < 0) {
      throw new IllegalStateException("call startEpoch or seek before next");
    }
    if (step >= stepsPerEpoch) {
      return false;
    }
    into.fill(ds, order, (step * microBatches + micro) * globalBatch + rank * batchPerRank, batchPerRank);
    if (++micro == microBatches) {
      micro = 0;
      step++;
    }
    return true;
  }

  /** The current epoch (-1 before the first startEpoch/seek). */
  public int epoch() {
    return epoch;
  }

  /** The step within the epoch that the next {@link #next} delivers (a micro-batch of). */
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
