package dev.lockstep.nn;

import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;
import java.util.SplittableRandom;

/**
 * Fully connected layer y = x·Wᵀ + b. Its slice of the flat buffers holds W: [out, in] row-major, then b: [out].
 */
public final class Linear implements Layer {
  private final int in;
  private final int out;
  private final Init init;
  private Buf w; // [out, in]
  private Buf b; // [out]
  private Buf dw; // [out, in]
  private Buf db; // [out]

  public Linear(int in, int out, Init init) {
    if (in <= 0 || out <= 0) {
      throw new IllegalArgumentException("linear layer needs positive sizes, got in=" + in + " out=" + out);
    }
    this.in = in;
    this.out = out;
    this.init = init;
  }

  public Init init() {
    return init;
  }

  @Override
  public String describe() {
    return "linear(" + in + "→" + out + ")";
  }

  @Override
  public int inFeatures() {
    return in;
  }

  @Override
  public int outFeatures() {
    return out;
  }

  @Override
  public int parameterCount() {
    return Math.multiplyExact(out, in) + out;
  }

  @Override
  public void bind(Buf params, Buf grads) {
    long weights = (long) out * in;
    w = params.view(0, weights);
    b = params.view(weights, out);
    dw = grads.view(0, weights);
    db = grads.view(weights, out);
  }

  @Override
  public void initialize(float[] dst, int offset, SplittableRandom rng) {
    int weights = out * in;
    init.fill(dst, offset, weights, in, out, rng);
    java.util.Arrays.fill(dst, offset + weights, offset + weights + out, 0f); // bias 0
  }

  @Override
  public void forward(Backend be, Buf x, Buf y, int batch) {
    // x: [B, in], w: [out, in] → y: [B, out] = x·wᵀ + b
    be.gemm(false, true, batch, out, in, 1f, x, requireBound(w), 0f, y);
    be.addRowVector(y, b, batch, out);
  }

  @Override
  public void backward(Backend be, Buf x, Buf y, Buf dy, Buf dx, int batch) {
    // dy: [B, out]; dW: [out, in] += dyᵀ·x; db: [out] += Σ_rows dy; dx: [B, in] = dy·W
    be.gemm(true, false, out, in, batch, 1f, dy, x, 1f, requireBound(dw));
    be.sumRows(dy, db, batch, out, 1f);
    if (dx != null) {
      be.gemm(false, false, batch, in, out, 1f, dy, w, 0f, dx);
    }
  }

  private Buf requireBound(Buf view) {
    if (view == null) {
      throw new IllegalStateException(describe() + " used before Parameters bound it to the flat buffers");
    }
    return view;
  }
}
