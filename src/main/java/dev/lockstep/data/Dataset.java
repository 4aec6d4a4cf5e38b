package dev.lockstep.data;

/**
 * Samples held in memory: features {@code [size, width]} row-major, already normalised, and one class id per
 * sample in {@code [0, numClasses)}. Immutable by convention: the arrays are shared, not copied, so callers
 * must not write to them.
 */
public final class Dataset {
  private final String name;
  private final float[] features; // [size, width]
  private final int[] labels; // [size]
  private final int width;
  private final int numClasses;

  public Dataset(String name, float[] features, int[] labels, int width, int numClasses) {
    if (width <= 0) {
      throw new IllegalArgumentException("dataset " + name + ": width must be positive, got " + width);
    }
    if (numClasses <= 0) {
      throw new IllegalArgumentException("dataset " + name + ": numClasses must be positive, got " + numClasses);
    }
    if ((long) labels.length * width != features.length) {
      throw new IllegalArgumentException("dataset " + name + ": " + features.length + " feature values are not "
          + labels.length + " samples × width " + width);
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= numClasses) {
        throw new DataException("dataset " + name + ": label " + labels[i] + " at index " + i
            + " is outside [0, " + numClasses + ")");
      }
    }
    this.name = name;
    this.features = features;
    this.labels = labels;
    this.width = width;
    this.numClasses = numClasses;
  }

  /** "train", "test", or whatever the creator called it; used in messages. */
  public String name() {
    return name;
  }

  /** {@code [size, width]} row-major. Do not modify. */
  public float[] features() {
    return features;
  }

  /** {@code [size]}. Do not modify. */
  public int[] labels() {
    return labels;
  }

  public int width() {
    return width;
  }

  public int size() {
    return labels.length;
  }

  public int numClasses() {
    return numClasses;
  }

  /** Copies sample {@code i}'s features into {@code dst[dstOffset, dstOffset + width)}. */
  public void copyRow(int i, float[] dst, int dstOffset) {
    System.arraycopy(features, i * width, dst, dstOffset, width);
  }
}
