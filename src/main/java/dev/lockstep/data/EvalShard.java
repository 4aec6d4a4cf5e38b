package dev.lockstep.data;

/**
 * One rank's share of an evaluation set: rank r of N takes the contiguous range
 * {@code [floor(r·n/N), floor((r+1)·n/N))}, so the ranks cover every sample exactly once, with shard sizes
 * differing by at most one. Read in order, in batches of {@code batchSize}; the last batch may be short.
 * A shard may be empty when there are more ranks than samples.
 */
public final class EvalShard {
  private final Dataset ds;
  private final int batchSize;
  private final int begin;
  private final int end;
  private int cursor;

  public EvalShard(Dataset ds, int rank, int ranks, int batchSize) {
    if (ranks <= 0 || rank < 0 || rank >= ranks) {
      throw new IllegalArgumentException("rank " + rank + " is not in [0, " + ranks + ")");
    }
    if (batchSize <= 0) {
      throw new IllegalArgumentException("evaluation batch size must be positive, got " + batchSize);
    }
    this.ds = ds;
    this.batchSize = batchSize;
    this.begin = (int) ((long) rank * ds.size() / ranks);
    this.end = (int) ((long) (rank + 1) * ds.size() / ranks);
    this.cursor = begin;
  }

  /** First sample index of this shard. */
  public int begin() {
    return begin;
  }

  /** One past the last sample index of this shard. */
  public int end() {
    return end;
  }

  public int size() {
    return end - begin;
  }

  /** Number of batches {@link #next} delivers per pass: ceil(size / batchSize). */
  public int batches() {
    return (size() + batchSize - 1) / batchSize;
  }

  public int batchSize() {
    return batchSize;
  }

  /** Back to the start of the shard for another pass. */
  public void reset() {
    cursor = begin;
  }

  /** Fills {@code into} with the next up to batchSize samples; false when the shard is exhausted. */
  public boolean next(Batch into) {
    if (cursor >= end) {
      return false;
    }
    int rows = Math.min(batchSize, end - cursor);
    into.fill(ds, null, cursor, rows);
    cursor += rows;
    return true;
  }
}
