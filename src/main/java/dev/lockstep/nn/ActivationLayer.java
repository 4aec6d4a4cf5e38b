package dev.lockstep.nn;

import dev.lockstep.tensor.Activation;
import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;
import java.util.Locale;

/** A pointwise nonlinearity (relu, tanh, sigmoid, gelu); no parameters, width unchanged. */
public final class ActivationLayer implements Layer {
  private final Activation f;
  private final int width;

  public ActivationLayer(Activation f, int width) {
    if (width <= 0) {
      throw new IllegalArgumentException(f + " layer needs a positive width, got " + width);
    }
    this.f = f;
    this.width = width;
  }

  public Activation function() {
    return f;
  }

  @Override
  public String describe() {
    return f.name().toLowerCase(Locale.ROOT);
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
    // x: [B, width] → y: [B, width]; buffers may be longer (sized for a larger batch): use the first B rows
    long n = (long) batch * width;
    be.activation(f, x.view(0, n), y.view(0, n));
  }

  @Override
  public void backward(Backend be, Buf x, Buf y, Buf dy, Buf dx, int batch) {
    if (dx == null) {
      return; // first layer: nobody needs dL/dx, and there are no parameters
    }
    long n = (long) batch * width;
    be.activationBackward(f, x.view(0, n), y.view(0, n), dy.view(0, n), dx.view(0, n));
  }
}
