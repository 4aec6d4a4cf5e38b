package dev.lockstep.nn;

import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;

/**
 * [B, C, H, W] → [B, C·H·W]. Rows are already flat between layers, so this is a copy that ends the image shape
 * (a linear layer after an image flattens it the same way without this layer).
 */
public final class Flatten implements Layer {
  private final int width;

  public Flatten(int width) {
    if (width <= 0) {
      throw new IllegalArgumentException("flatten needs a positive width, got " + width);
    }
    this.width = width;
  }

  @Override
  public String describe() {
    return "flatten";
  }

  @Override
  public int inFeatures() {
    return width;
  }

  @Override
  public int outFeatures() {
    return width;
  }

  @Override
  public int parameterCount() {
    return 0;
  }

  @Override
  public void forward(Backend be, Buf x, Buf y, int batch) {
    long n = (long) batch * width; // x: [B, C·H·W] → y: the same floats
    be.copy(x.view(0, n), y.view(0, n));
  }

  @Override
  public void backward(Backend be, Buf x, Buf y, Buf dy, Buf dx, int batch) {
    if (dx != null) {
      long n = (long) batch * width;
      be.copy(dy.view(0, n), dx.view(0, n));
    }
  }
}
