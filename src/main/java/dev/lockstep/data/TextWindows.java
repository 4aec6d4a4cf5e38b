package dev.lockstep.data;

import java.util.HashSet;
import java.util.Set;

/**
 * One rank's training windows of a text: each row is {@code context + 1} consecutive character ids (the inputs
 * and, shifted by one, the targets), label = the last id. Global step g draws N·B distinct window starts from
 * a stream seeded by (seed, g), the same on every rank; rank r takes starts [r·B, (r+1)·B). So the ranks never
 * share a window within a step, and N ranks × B see exactly the windows of 1 rank × N·B. An epoch is
 * {@code n / (N·B·context)} steps (about one pass over the characters).
 *
 * <p>With k micro-batches per step ({@code update.accumulate_steps}) step g draws k·N·B starts; micro-batch m takes
 * the m-th run of N·B of them, rank r its [r·B, (r+1)·B) — again exactly the windows of 1 rank × k·N·B.
 */
public final class TextWindows implements TrainBatches {
  private final int[] ids;
  private final int context;
  private final int rank;
  private final int ranks;
  private final int microBatches;
  private final int batchPerRank;
  private final int globalBatch;
  private final long seed;
  private final int stepsPerEpoch;
  private final int[] starts; // [k·N·B] of the current step
  private final Set<Integer> seen = new HashSet<>();
  private long globalStep;
  private int stepInEpoch;
  private int micro; // micro-batches of the current step already delivered

  public TextWindows(int[] ids, int context, int rank, int ranks, int batchPerRank, long seed) {
    this(ids, context, rank, ranks, batchPerRank, 1, seed);
  }

  /** {@code microBatches} (k ≥ 1): each step is k calls of {@link #next}. */
  public TextWindows(int[] ids, int context, int rank, int ranks, int batchPerRank, int microBatches, long seed) {
    if (ranks <= 0 || rank < 0 || rank >= ranks) {
      throw new IllegalArgumentException("rank " + rank + " is not in [0, " + ranks + ")");
    }
    if (microBatches <= 0) {
      throw new IllegalArgumentException("update.accumulate_steps: must be positive, got " + microBatches);
    }
    long global = (long) ranks * batchPerRank * microBatches;
    long windows = ids.length - context;
    if (batchPerRank <= 0 || global > windows) {
      throw new DataException("data.batch_size: " + ranks + " ranks × " + batchPerRank + (microBatches > 1
          ? " × update.accumulate_steps " + microBatches : "") + " windows per step needs at least that many "
          + "distinct windows; the training text has " + windows);
    }
    this.ids = ids;
    this.context = context;
    this.rank = rank;
    this.ranks = ranks;
    this.microBatches = microBatches;
    this.batchPerRank = batchPerRank;
    this.globalBatch = (int) global;
    this.seed = seed;
    this.stepsPerEpoch = (int) Math.max(1, ids.length / (global * context));
    this.starts = new int[globalBatch];
  }

  @Override
  public int stepsPerEpoch() {
    return stepsPerEpoch;
  }

  @Override
  public void startEpoch(int epoch) {
    seek(epoch, 0);
  }

  @Override
  public void seek(int epoch, int stepInEpoch) {
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
    }
    if (stepInEpoch < 0 || stepInEpoch > stepsPerEpoch) {
      throw new IllegalArgumentException("step " + stepInEpoch + " is not in [0, " + stepsPerEpoch + "]");
    }
    globalStep = (long) epoch * stepsPerEpoch + stepInEpoch;
    this.stepInEpoch = stepInEpoch;
    this.micro = 0;
  }

  @Override
  public int stepInEpoch() {
    return stepInEpoch;
  }

  @Override
  public boolean next(Batch into) {
    if (stepInEpoch >= stepsPerEpoch) {
      return false;
    }
    int width = context + 1;
    if (into.width() != width || into.capacity() < batchPerRank) {
      throw new IllegalArgumentException("text windows need a batch of " + batchPerRank + " × " + width + ", got "
          + into.capacity() + " × " + into.width());
    }
    if (micro == 0) {
      drawStarts(globalStep);
    }
    int first = (micro * ranks + rank) * batchPerRank;
    float[] x = into.x();
    int[] labels = into.labels();
    for (int k = 0; k < batchPerRank; k++) {
      int start = starts[first + k];
      for (int j = 0; j < width; j++) {
        x[k * width + j] = ids[start + j];
      }
      labels[k] = ids[start + context];
      into.indices()[k] = start;
    }
    into.setRows(batchPerRank);
    if (++micro == microBatches) {
      micro = 0;
      globalStep++;
      stepInEpoch++;
    }
    return true;
  }

  /** The k·N·B distinct window starts of global step {@code step}, in [0, n − context − 1]. */
  int[] drawStarts(long step) {
    SplitMix64 rng = new SplitMix64(EpochOrder.epochSeed(seed, 0) ^ SplitMix64.mix(0x5DEECE66DL + step));
    int bound = ids.length - context;
    seen.clear();
    for (int i = 0; i < globalBatch; i++) {
      int s;
      do {
        s = rng.nextInt(bound);
      } while (!seen.add(s));
      starts[i] = s;
    }
    return starts;
  }
}
