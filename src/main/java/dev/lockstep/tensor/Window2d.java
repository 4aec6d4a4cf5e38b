package dev.lockstep.tensor;

/**
 * A square sliding window over NCHW images of {@code channels × height × width}: a convolution's or a pooling
 * layer's kernel, stride and zero padding. Output size per side: (in + 2·padding − kernel) / stride + 1.
 */
public record Window2d(int channels, int height, int width, int kernel, int stride, int padding) {
  public Window2d {
    if (channels <= 0 || height <= 0 || width <= 0 || kernel <= 0 || stride <= 0 || padding < 0) {
      throw new IllegalArgumentException("window needs positive sizes, got " + channels + "×" + height + "×" + width
          + " kernel " + kernel + " stride " + stride + " padding " + padding);
    }
  }

  public int outHeight() {
    return (height + 2 * padding - kernel) / stride + 1;
  }

  public int outWidth() {
    return (width + 2 * padding - kernel) / stride + 1;
  }

  /** Whether the window fits at least once per side. */
  public boolean fits() {
    return height + 2 * padding >= kernel && width + 2 * padding >= kernel;
  }

  /** Floats of one input image: C·H·W. */
  public int inSize() {
    return channels * height * width;
  }

  /** Output positions per image and channel: Ho·Wo. */
  public int outPositions() {
    return outHeight() * outWidth();
  }

  /** Floats of one im2col row: C·k·k. */
  public int patchSize() {
    return channels * kernel * kernel;
  }
}
