package dev.lockstep.nn;

import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;
import dev.lockstep.tensor.Window2d;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * 2-D convolution over NCHW images (cross-correlation, as PyTorch's Conv2d): x: [B, Cin, H, W] → y: [B, Cout, Ho,
 * Wo], square kernel k, stride s, zero padding p. Its slice of the flat buffers holds W: [Cout, Cin, k, k]
 * row-major, then b: [Cout]. Computed per image as im2col + a GEMM (OpenBLAS, on its threads) that writes the
 * NCHW output directly.
 */
public final class Conv2d implements Layer {
  private final Window2d win;
  private final int out; // Cout
  private final ConvWorkspace ws;
  private Buf w; // [Cout, Cin·k·k]
  private Buf b; // [Cout]
  private Buf dw;
  private Buf db;
  private Buf biasStaging; // [Cout]
  private final float[] bias, ones; // [Cout] host copies: b (forward) or db (backward); all 1
  private final double[] biasSum, biasSquares; // [Cout]

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
    this.bias = new float[outChannels];
    this.ones = new float[outChannels];
    java.util.Arrays.fill(ones, 1f);
    this.biasSum = new double[outChannels];
    this.biasSquares = new double[outChannels];
  }

  public Window2d window() {
    return win;
  }

  public int outChannels() {
    return out;
  }

  @Override
  public boolean replayable(Backend be) {
    return false; // the bias goes through host memory (download in forward, upload in backward): waits for the device
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
    // Per image n: cols = im2col(x_n): [Cin·k·k, P] (P = Ho·Wo); y_n: [Cout, P] = W·cols; then y += b per channel.
    // One image's cols stay in cache between im2col and the GEMM.
    int p = win.outPositions(), patch = win.patchSize(), in = win.inSize();
    Buf cols = ws.cols(be, (long) patch * p);
    be.download(b, bias, 0);
    for (int n = 0; n < batch; n++) {
      Buf yN = y.view((long) n * out * p, (long) out * p);
      be.im2col(x.view((long) n * in, in), cols, 1, win);
      be.gemm(false, false, out, p, patch, 1f, bound(w), cols, 0f, yN);
      be.channelAffine(yN, ones, null, null, bias, yN, 1, out, p); // the bias while y_n is still in cache
    }
  }

  @Override
  public void backward(Backend be, Buf x, Buf y, Buf dy, Buf dx, int batch) {
    // Per image: dW: [Cout, Cin·k·k] += dy_n·colsᵀ; dcols = Wᵀ·dy_n: [Cin·k·k, P] → dx_n = col2im(dcols).
    // db: [Cout] += Σ_{n, P} dy. im2col is recomputed: the workspace is shared by every conv layer.
    int p = win.outPositions(), patch = win.patchSize(), in = win.inSize();
    Buf cols = ws.cols(be, (long) patch * p);
    Buf dcols = ws.pixels(be, (long) patch * p);
    for (int n = 0; n < batch; n++) {
      Buf dyN = dy.view((long) n * out * p, (long) out * p);
      be.im2col(x.view((long) n * in, in), cols, 1, win);
      be.gemm(false, true, out, patch, p, 1f, dyN, cols, 1f, bound(dw));
      if (dx != null) {
        be.gemm(true, false, patch, p, out, 1f, w, dyN, 0f, dcols);
        be.col2im(dcols, dx.view((long) n * in, in), 1, win);
      }
    }
    be.channelSums(dy, dy, batch, out, p, biasSum, biasSquares);
    for (int c = 0; c < out; c++) {
      bias[c] = (float) biasSum[c];
    }
    if (biasStaging == null) {
      biasStaging = be.allocate(out);
    }
    be.upload(bias, 0, biasStaging);
    be.axpy(1f, biasStaging, db);
  }

  private Buf bound(Buf view) {
    if (view == null) {
      throw new IllegalStateException(describe() + " used before Parameters bound it to the flat buffers");
    }
    return view;
  }
}
