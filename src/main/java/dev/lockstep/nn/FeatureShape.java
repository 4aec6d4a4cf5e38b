package dev.lockstep.nn;

import java.util.Arrays;

/**
 * The shape of one sample's features between layers: an image [C, H, W] or a flat vector [n]. Rows stay flat
 * ([B, C·H·W] row-major, NCHW) between layers; layers that need an image carry its shape.
 */
public record FeatureShape(int[] dims) {
  public FeatureShape {
    dims = dims.clone();
    if (dims.length != 1 && dims.length != 3) {
      throw new IllegalArgumentException("a feature shape is [n] or [C, H, W], got " + Arrays.toString(dims));
    }
    for (int d : dims) {
      if (d <= 0) {
        throw new IllegalArgumentException("feature shape " + Arrays.toString(dims) + " has a dimension <= 0");
      }
    }
  }

  public static FeatureShape flat(int n) {
    return new FeatureShape(new int[] {n});
  }

  public static FeatureShape image(int channels, int height, int width) {
    return new FeatureShape(new int[] {channels, height, width});
  }

  public boolean isImage() {
    return dims.length == 3;
  }

  public int channels() {
    return dims[0];
  }

  public int height() {
    return dims[1];
  }

  public int width() {
    return dims[2];
  }

  /** Floats per sample. */
  public int size() {
    int n = 1;
    for (int d : dims) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  @Override
  public int[] dims() {
    return dims.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FeatureShape f && Arrays.equals(dims, f.dims);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(dims);
  }

  /** "[1, 28, 28]" */
  @Override
  public String toString() {
    return Arrays.toString(dims);
  }
}
