package dev.lockstep.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lockstep.tensor.Buf;
import dev.lockstep.tensor.CpuBackend;
import dev.lockstep.tensor.TestSeed;
import java.util.SplittableRandom;

/**
 * One layer bound to standalone buffers, checked against central differences of L = Σ R ⊙ y (R random),
 * evaluated in double from the layer's float forward. Parameters are random (not the layer's init) so
 * γ ≠ 1 etc. exercise every term; the gradient buffer starts non-zero to check that backward accumulates.
 */
public final class LayerCheck {
  public final CpuBackend be;
  public final Layer layer;
  public final int batch;
  public final float[] params;
  public final float[] x; // [batch, in]
  public final float[] r; // [batch, out]
  public final Buf paramBuf, gradBuf, xBuf, yBuf;

  public LayerCheck(CpuBackend be, Layer layer, int batch, float[] x, SplittableRandom rng) {
    this.be = be;
    this.layer = layer;
    this.batch = batch;
    this.x = x;
    params = TestSeed.uniform(rng, layer.parameterCount(), -1, 1);
    r = TestSeed.uniform(rng, batch * layer.outFeatures(), -1, 1);
    int np = Math.max(1, params.length);
    paramBuf = be.allocate(np + 3).view(3, np);
    gradBuf = be.allocate(np + 1).view(1, np);
    xBuf = be.allocate(x.length);
    yBuf = be.allocate((long) batch * layer.outFeatures());
    if (params.length > 0) {
      layer.bind(paramBuf.view(0, params.length), gradBuf.view(0, params.length));
    }
  }

  public float[] forward() {
    if (params.length > 0) {
      be.upload(params, 0, paramBuf.view(0, params.length));
    }
    be.upload(x, 0, xBuf);
    layer.forward(be, xBuf, yBuf, batch);
    float[] y = new float[batch * layer.outFeatures()];
    be.download(yBuf, y, 0);
    return y;
  }

  public double loss() {
    float[] y = forward();
    double l = 0;
    for (int i = 0; i < y.length; i++) {
      l += (double) r[i] * y[i];
    }
    return l;
  }

  /**
   * Checks dparams (and dx unless {@code xIsIds}) against finite differences with step h, to within
   * tol · (1 + |fd|).
   */
  public void check(String what, double h, double tol, boolean xIsIds, SplittableRandom rng) {
    float[] before = TestSeed.uniform(rng, params.length, -1, 1);
    if (params.length > 0) {
      be.upload(before, 0, gradBuf.view(0, params.length));
    }
    forward();
    Buf dy = be.allocate(r.length);
    be.upload(r, 0, dy);
    Buf dx = be.allocate(x.length);
    be.fill(dx, 7f); // must be overwritten
    layer.backward(be, xBuf, yBuf, dy, dx, batch);
    float[] grads = new float[params.length];
    if (params.length > 0) {
      be.download(gradBuf.view(0, params.length), grads, 0);
    }
    double[] fdParams = FiniteDifference.gradient(params, h, this::loss);
    for (int j = 0; j < grads.length; j++) {
      assertThat((double) grads[j] - before[j]).as("%s dparam[%d]", what, j)
          .isCloseTo(fdParams[j], within(tol * (1 + Math.abs(fdParams[j]))));
    }
    float[] dxHost = new float[x.length];
    be.download(dx, dxHost, 0);
    if (xIsIds) {
      for (int j = 0; j < dxHost.length; j++) {
        assertThat(dxHost[j]).as("%s dx[%d] of token ids", what, j).isZero();
      }
      return;
    }
    double[] fdX = FiniteDifference.gradient(x, h, this::loss);
    for (int j = 0; j < dxHost.length; j++) {
      assertThat((double) dxHost[j]).as("%s dx[%d]", what, j).isCloseTo(fdX[j], within(tol * (1 + Math.abs(fdX[j]))));
    }
  }
}
