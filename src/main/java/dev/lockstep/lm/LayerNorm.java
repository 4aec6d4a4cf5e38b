package dev.lockstep.lm;

import dev.lockstep.nn.Layer;
import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;
import dev.lockstep.tensor.SequenceKernels;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Layer normalisation over the C channels of each of T positions: x: [B, T·C] → y: [B, T·C],
 * y = γ ⊙ (x − μ) / √(σ² + ε) + β per position. Parameters: γ [C] (init 1), then β [C] (init 0).
 * Statistics are recomputed in backward from x, so the layer keeps no state between calls.
 */
public final class LayerNorm implements Layer {
  private static final double EPS = 1e-5;
  private final int positions; // T
  private final int channels; // C
  private Buf params; // [2C]: γ, β
  private Buf grads;
  private Buf gradStaging; // [2C]
  private Buf terms; // [rows, 2C] device path: each row's dγ, dβ terms, summed by sumRows
  private final HostCopy xHost = new HostCopy();
  private final HostCopy dyHost = new HostCopy();
  private final HostCopy pHost = new HostCopy();
  private final HostCopy outHost = new HostCopy();
  private final float[] dParams;

  public LayerNorm(int positions, int channels) {
    if (positions <= 0 || channels <= 0) {
      throw new IllegalArgumentException("layer_norm needs positive sizes, got T=" + positions + " C=" + channels);
    }
    this.positions = positions;
    this.channels = channels;
    this.dParams = new float[2 * channels];
  }

  @Override
  public String describe() {
    return "layer_norm(" + positions + "×" + channels + ")";
  }

  @Override
  public int inFeatures() {
    return positions * channels;
  }

  @Override
  public int outFeatures() {
    return positions * channels;
  }

  @Override
  public int parameterCount() {
    return 2 * channels;
  }

  @Override
  public void bind(Buf params, Buf grads) {
    this.params = params;
    this.grads = grads;
  }

  @Override
  public void initialize(float[] dst, int offset, SplittableRandom rng) {
    Arrays.fill(dst, offset, offset + channels, 1f);
    Arrays.fill(dst, offset + channels, offset + 2 * channels, 0f);
  }

  @Override
  public void forward(Backend be, Buf x, Buf y, int batch) {
    // x: [B·T, C] rows → y: [B·T, C]
    int rows = batch * positions, n = rows * channels;
    SequenceKernels k = be.sequenceKernels();
    if (k != null) {
      k.layerNormForward(x, params.view(0, channels), params.view(channels, channels), y, rows, channels, EPS);
      return;
    }
    float[] in = xHost.get(be, x, n);
    float[] p = pHost.get(be, params, 2 * channels);
    float[] out = outHost.array(n);
    for (int r = 0; r < rows; r++) {
      int base = r * channels;
      double mean = mean(in, base), rstd = rstd(in, base, mean);
      for (int c = 0; c < channels; c++) {
        out[base + c] = (float) ((in[base + c] - mean) * rstd * p[c] + p[channels + c]);
      }
    }
    HostCopy.put(be, out, y, n);
  }

  @Override
  public void backward(Backend be, Buf x, Buf y, Buf dy, Buf dx, int batch) {
    // x̂ = (x − μ)·rstd; dβ += Σ dy; dγ += Σ dy·x̂; dx = rstd·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)), dx̂ = dy·γ
    int rows = batch * positions, n = rows * channels;
    SequenceKernels k = be.sequenceKernels();
    if (k != null) {
      if (terms == null || terms.length() < 2L * n) {
        terms = be.allocate(2L * n); // first step (max batch): a recorded step never allocates
      }
      k.layerNormBackward(x, params.view(0, channels), dy, dx, grads, terms, rows, channels, EPS);
      return;
    }
    float[] in = xHost.get(be, x, n);
    float[] g = dyHost.get(be, dy, n);
    float[] p = pHost.get(be, params, 2 * channels);
    float[] out = outHost.array(n);
    Arrays.fill(dParams, 0f);
    double[] xhat = new double[channels];
    for (int r = 0; r < rows; r++) {
      int base = r * channels;
      double mean = mean(in, base), rstd = rstd(in, base, mean);
      double meanD = 0, meanDX = 0;
      for (int c = 0; c < channels; c++) {
        xhat[c] = (in[base + c] - mean) * rstd;
        double d = g[base + c] * (double) p[c];
        meanD += d;
        meanDX += d * xhat[c];
        dParams[c] += (float) (g[base + c] * xhat[c]);
        dParams[channels + c] += g[base + c];
      }
      meanD /= channels;
      meanDX /= channels;
      for (int c = 0; c < channels; c++) {
        double d = g[base + c] * (double) p[c];
        out[base + c] = (float) (rstd * (d - meanD - xhat[c] * meanDX));
      }
    }
    if (gradStaging == null) {
      gradStaging = be.allocate(2L * channels);
    }
    HostCopy.put(be, dParams, gradStaging, 2L * channels);
    be.axpy(1f, gradStaging, grads);
    if (dx != null) {
      HostCopy.put(be, out, dx, n);
    }
  }

  private double mean(float[] a, int base) {
    double s = 0;
    for (int c = 0; c < channels; c++) {
      s += a[base + c];
    }
    return s / channels;
  }

  private double rstd(float[] a, int base, double mean) {
    double s = 0;
    for (int c = 0; c < channels; c++) {
      double d = a[base + c] - mean;
      s += d * d;
    }
    return 1.0 / Math.sqrt(s / channels + EPS);
  }

  /** On the host (through {@link HostCopy}) unless the backend has sequence kernels. */
  @Override
  public boolean replayable(Backend be) {
    return be.sequenceKernels() != null;
  }
}
