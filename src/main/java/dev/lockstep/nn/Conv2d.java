package dev.lockstep.nn;

import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;
import dev.lockstep.tensor.Window2d;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * 2-D convolution over NCHW images (cross-correlation, as PyTorch's Conv2d): x: [B, Cin, H, W] → y: [B, Cout, Ho,
 * Wo], square kernel k, stride s, zero padding p. Its slice of the flat buffers holds W: [Cout, Cin, k, k]
 * row-major, then b: [Cout]. Computed as im2col + one GEMM over the whole batch (OpenBLAS threads), then a
 * transpose from pixel-major to NCHW.
 */
public final class Conv2d implements Layer {
  private final Window2d win;
  private final int out; // Cout
  private final ConvWorkspace ws;
  private Buf w; // [Cout, Cin·k·k]
  private Buf b; // [Cout]
  private Buf dw;
  private Buf db;

  public Conv2d(Window2d window, int outChannels, ConvWorkspace workspace) {
    if (outChannels <= 0) {
      throw new IllegalArgumentException("conv2d needs channels > 0, got " + outChannels);
    }
    if (!window.fits()) {
      throw new IllegalArgumentException("conv2d kernel " + window.kernel() + " does not fit " + window.height() + "×"
          + window.width() + " with padding " + window.padding());
    }
    this.win = window;
    this.out = outChannels;
    this.ws = workspace;
  }

  public Window2d window() {
    return win;
  }

  public int outChannels() {
    return out;
  }

  @Override
  public String describe() {
    return "conv2d(" + win.channels() + "→" + out + ", " + win.kernel() + "x" + win.kernel()
        + (win.stride() != 1 ? "/" + win.stride() : "") + (win.padding() != 0 ? " pad " + win.padding() : "") + ")";
  }

  @Override
  public int inFeatures() {
    return win.inSize();
  }

  @Override
  public int outFeatures() {
    return out * win.outPositions();
  }

  @Override
  public int parameterCount() {
    return Math.addExact(Math.multiplyExact(out, win.patchSize()), out);
  }

  /** Every weight is used once per output position. */
  @Override
  public long forwardCost() {
    return 2L * parameterCount() * win.outPositions() + outFeatures();
  }

  @Override
  public void bind(Buf params, Buf grads) {
    long weights = (long) out * win.patchSize();
    w = params.view(0, weights);
    b = params.view(weights, out);
    dw = grads.view(0, weights);
    db = grads.view(weights, out);
  }

  @Override
  public void initialize(float[] dst, int offset, SplittableRandom rng) {
    int weights = out * win.patchSize();
    Init.HE.fill(dst, offset, weights, win.patchSize(), out * win.kernel() * win.kernel(), rng);
    Arrays.fill(dst, offset + weights, offset + weights + out, 0f);
  }

  @Override
  public void forward(Backend be, Buf x, Buf y, int batch) {
    // x: [B, Cin, H, W] → cols: [B·P, Cin·k·k] (P = Ho·Wo); t = cols·Wᵀ + b: [B·P, Cout]; y: [B, Cout, P] = tᵀ per image
    int p = win.outPositions(), rows = batch * p;
    Buf cols = ws.cols(be, (long) rows * win.patchSize());
    Buf t = ws.pixels(be, (long) rows * out);
    be.im2col(x, cols, batch, win);
    be.gemm(false, true, rows, out, win.patchSize(), 1f, cols, bound(w), 0f, t);
    be.addRowVector(t, b, rows, out);
    be.transposeBatched(t, y, batch, p, out);
  }

  @Override
  public void backward(Backend be, Buf x, Buf y, Buf dy, Buf dx, int batch) {
    // dy: [B, Cout, P] → g: [B·P, Cout]; dW: [Cout, Cin·k·k] += gᵀ·cols; db += Σ_rows g; dcols = g·W → dx = col2im
    int p = win.outPositions(), rows = batch * p;
    Buf cols = ws.cols(be, (long) rows * win.patchSize());
    Buf g = ws.pixels(be, (long) rows * out);
    be.transposeBatched(dy, g, batch, out, p);
    be.im2col(x, cols, batch, win); // recomputed: the workspace is shared by every conv layer
    be.gemm(true, false, out, win.patchSize(), rows, 1f, g, cols, 1f, bound(dw));
    be.sumRows(g, db, rows, out, 1f);
    if (dx != null) {
      be.gemm(false, false, rows, win.patchSize(), out, 1f, g, w, 0f, cols); // cols now holds dcols
      be.col2im(cols, dx, batch, win);
    }
  }

  private Buf bound(Buf view) {
    if (view == null) {
      throw new IllegalStateException(describe() + " used before Parameters bound it to the flat buffers");
    }
    return view;
  }
}
