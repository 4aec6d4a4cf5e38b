package dev.lockstep.data;

/**
 * A reusable batch buffer: up to {@code capacity} samples. Only the first {@link #rows()} rows are valid
 * (training batches are always full; the last evaluation batch of a shard may be short). Filled in place by
 * {@link ShardedBatches} and {@link EvalShard}, so a step allocates nothing.
 */
public final class Batch {
  private final int capacity;
  private final int width;
  private final float[] x; // [capacity, width]
  private final int[] labels; // [capacity]
  private final int targetWidth; // values per row of a value dataset; 0 for class labels
  private final float[] values; // [capacity, targetWidth], or null for class labels
  private final int[] indices; // [capacity] dataset index of each row
  private int rows;

  public Batch(int capacity, int width) {
    this(capacity, width, 0);
  }

  /** A batch for value targets: {@code targetWidth} floats per row (0 = class labels). */
  public Batch(int capacity, int width, int targetWidth) {
    if (capacity <= 0 || width <= 0) {
      throw new IllegalArgumentException("batch capacity and width must be positive, got " + capacity + " × " + width);
    }
    if ((long) capacity * width > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("batch " + capacity + " × " + width + " is too large for one array");
    }
    this.capacity = capacity;
    this.width = width;
    this.x = new float[capacity * width];
    this.labels = new int[capacity];
    this.indices = new int[capacity];
    this.targetWidth = targetWidth;
    this.values = targetWidth > 0 ? new float[Math.multiplyExact(capacity, targetWidth)] : null;
  }

  /** A batch shaped for {@code ds}'s samples. */
  public static Batch forDataset(Dataset ds, int capacity) {
    return new Batch(capacity, ds.width(), ds.hasLabels() ? 0 : ds.targetWidth());
  }

  /** Features {@code [capacity, width]}; rows {@code [0, rows())} are valid. */
  public float[] x() {
    return x;
  }

  /** Class ids {@code [capacity]}; entries {@code [0, rows())} are valid (unused for value targets). */
  public int[] labels() {
    return labels;
  }

  /** Target values {@code [capacity, targetWidth]} of a value dataset (null for class labels). */
  public float[] values() {
    return values;
  }

  public int targetWidth() {
    return targetWidth;
  }

  /** Which dataset sample each row holds {@code [capacity]}; for checks and debugging. */
  public int[] indices() {
    return indices;
  }

  public int rows() {
    return rows;
  }

  public int capacity() {
    return capacity;
  }

  public int width() {
    return width;
  }

  /** Marks rows {@code [0, count)} valid after a filler wrote {@link #x} and {@link #labels} directly. */
  void setRows(int count) {
    if (count < 0 || count > capacity) {
      throw new IllegalArgumentException("batch capacity " + capacity + " cannot hold " + count + " rows");
    }
    rows = count;
  }

  /** Fills rows {@code [0, count)} with samples {@code order[from + k]} (or {@code from + k} when order is null). */
  void fill(Dataset ds, int[] order, int from, int count) {
    if (ds.width() != width) {
      throw new IllegalArgumentException("batch width " + width + " does not match dataset " + ds.name()
          + " width " + ds.width());
    }
    if (count > capacity) {
      throw new IllegalArgumentException("batch capacity " + capacity + " is smaller than " + count + " rows");
    }
    if (ds.hasLabels() != (values == null) || (!ds.hasLabels() && ds.targetWidth() != targetWidth)) {
      throw new IllegalArgumentException("batch targets (" + (values == null ? "class labels" : targetWidth
          + " values per row") + ") do not match dataset " + ds.name());
    }
    int[] dsLabels = ds.labels();
    float[] dsValues = ds.values();
    for (int k = 0; k < count; k++) {
      int i = order == null ? from + k : order[from + k];
      ds.copyRow(i, x, k * width);
      if (dsLabels != null) {
        labels[k] = dsLabels[i];
      } else {
        System.arraycopy(dsValues, i * targetWidth, values, k * targetWidth, targetWidth);
      }
      indices[k] = i;
    }
    rows = count;
  }
}
