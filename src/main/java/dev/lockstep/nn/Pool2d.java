package dev.lockstep.nn;

import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;
import dev.lockstep.tensor.Window2d;

/**
 * Max or average pooling over NCHW images, per channel: x: [B, C, H, W] → y: [B, C, Ho, Wo]. Average pooling
 * divides by k·k, counting padding as zeros (PyTorch's default). Max pooling's backward finds each window's
 * first maximum again from x, so the layer keeps no indices between calls. No parameters.
 */
public final class Pool2d implements Layer {
  private final boolean avg;
  private final Window2d win;

  public Pool2d(boolean average, Window2d window) {
    if (!window.fits()) {
      throw new IllegalArgumentException("pooling window " + window.kernel() + " does not fit " + window.height()
          + "×" + window.width());
    }
    this.avg = average;
    this.win = window;
  }

  public boolean average() {
    return avg;
  }

  public Window2d window() {
    return win;
  }

  @Override
  public String describe() {
    return (avg ? "avg_pool2d(" : "max_pool2d(") + win.kernel() + "x" + win.kernel()
        + (win.stride() != win.kernel() ? "/" + win.stride() : "") + (win.padding() != 0 ? " pad " + win.padding() : "")
        + ")";
  }

  @Override
  public int inFeatures() {
    return win.inSize();
  }

  @Override
  public int outFeatures() {
    return win.channels() * win.outPositions();
  }

  @Override
  public int parameterCount() {
    return 0;
  }

  @Override
  public void forward(Backend be, Buf x, Buf y, int batch) {
    be.pool2d(avg, x, y, batch, win); // x: [B, C, H, W] → y: [B, C, Ho, Wo]
  }

  @Override
  public void backward(Backend be, Buf x, Buf y, Buf dy, Buf dx, int batch) {
    if (dx != null) {
      be.pool2dBackward(avg, x, dy, dx, batch, win); // dy: [B, C, Ho, Wo] → dx: [B, C, H, W]
    }
  }
}
