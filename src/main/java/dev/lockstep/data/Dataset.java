package dev.lockstep.data;

import java.util.List;

/**
 * Samples held in memory: features {@code [size, width]} row-major, already normalised, and targets of one of
 * two kinds: a class id per sample in {@code [0, numClasses)} (classification), or a row of
 * {@code targetWidth} values per sample (regression, multi-label 0/1 rows, target distributions). Immutable by
 * convention: the arrays are shared, not copied, so callers must not write to them.
 */
public final class Dataset {
  private final String name;
  private final float[] features; // [size, width]
  private final int[] labels; // [size], or null for value targets
  private final float[] values; // [size, targetWidth], or null for class labels
  private final int width;
  private final int numClasses; // 0 for value targets
  private final int targetWidth;
  private final List<String> classNames;

  /** A classification dataset: one class id per sample. */
  public Dataset(String name, float[] features, int[] labels, int width, int numClasses) {
    this(name, features, labels, null, width, numClasses, numClasses, List.of());
    if (numClasses <= 0) {
      throw new IllegalArgumentException("dataset " + name + ": numClasses must be positive, got " + numClasses);
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= numClasses) {
        throw new DataException("dataset " + name + ": label " + labels[i] + " at index " + i
            + " is outside [0, " + numClasses + ")");
      }
    }
  }

  private Dataset(String name, float[] features, int[] labels, float[] values, int width, int numClasses,
                  int targetWidth, List<String> classNames) {
    if (width <= 0) {
      throw new IllegalArgumentException("dataset " + name + ": width must be positive, got " + width);
    }
    if (targetWidth <= 0) {
      throw new IllegalArgumentException("dataset " + name + ": target width must be positive, got " + targetWidth);
    }
    long size = labels != null ? labels.length : values.length / targetWidth;
    if (size * width != features.length || (values != null && size * targetWidth != values.length)) {
      throw new IllegalArgumentException("dataset " + name + ": " + features.length + " feature values are not "
          + size + " samples × width " + width);
    }
    this.name = name;
    this.features = features;
    this.labels = labels;
    this.values = values;
    this.width = width;
    this.numClasses = numClasses;
    this.targetWidth = targetWidth;
    this.classNames = List.copyOf(classNames);
  }

  /** A dataset with {@code targetWidth} target values per sample: {@code values [size, targetWidth]}. */
  public static Dataset ofValues(String name, float[] features, float[] values, int width, int targetWidth) {
    if (targetWidth > 0 && values.length % targetWidth != 0) {
      throw new IllegalArgumentException("dataset " + name + ": " + values.length + " target values are not rows of "
          + targetWidth);
    }
    return new Dataset(name, features, null, values, width, 0, targetWidth, List.of());
  }

  /** The same samples, with a name for each class id (index = id), e.g. the categories of a CSV column. */
  public Dataset withClassNames(List<String> names) {
    if (labels == null || names.size() != numClasses) {
      throw new IllegalArgumentException("dataset " + name + ": " + names.size() + " class names for "
          + numClasses + " classes");
    }
    return new Dataset(name, features, labels, values, width, numClasses, targetWidth, names);
  }

  /** "train", "test", or whatever the creator called it; used in messages. */
  public String name() {
    return name;
  }

  /** {@code [size, width]} row-major. Do not modify. */
  public float[] features() {
    return features;
  }

  /** True for class labels ({@link #labels()}), false for value rows ({@link #values()}). */
  public boolean hasLabels() {
    return labels != null;
  }

  /** {@code [size]} class ids, or null for a value dataset. Do not modify. */
  public int[] labels() {
    return labels;
  }

  /** {@code [size, targetWidth]} target values, or null for a classification dataset. Do not modify. */
  public float[] values() {
    return values;
  }

  public int width() {
    return width;
  }

  public int size() {
    return labels != null ? labels.length : values.length / targetWidth;
  }

  /** Classes of a classification dataset; 0 for value targets. */
  public int numClasses() {
    return numClasses;
  }

  /** Class count for labels, values per row otherwise: the model output width the targets ask for. */
  public int targetWidth() {
    return targetWidth;
  }

  /** Names of the class ids when the data had named categories; empty otherwise. */
  public List<String> classNames() {
    return classNames;
  }

  /** Copies sample {@code i}'s features into {@code dst[dstOffset, dstOffset + width)}. */
  public void copyRow(int i, float[] dst, int dstOffset) {
    System.arraycopy(features, i * width, dst, dstOffset, width);
  }
}
