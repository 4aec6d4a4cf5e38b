package dev.lockstep.lm;

import dev.lockstep.nn.Layer;
import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;
import java.util.SplittableRandom;

/**
 * Applies a row layer to each of T positions with shared parameters: x: [B, T·in] is [B·T, in] row-major, so
 * the inner layer simply runs on B·T rows. Used for the q/k/v, projection, MLP and LM-head linears.
 */
public final class PerPosition implements Layer {
  private final Layer inner;
  private final int positions; // T

  public PerPosition(Layer inner, int positions) {
    if (positions <= 0) {
      throw new IllegalArgumentException("per-position layer needs T > 0, got " + positions);
    }
    this.inner = inner;
    this.positions = positions;
  }

  @Override
  public String describe() {
    return positions == 1 ? inner.describe() : positions + "×" + inner.describe();
  }

  @Override
  public int inFeatures() {
    return positions * inner.inFeatures();
  }

  @Override
  public int outFeatures() {
    return positions * inner.outFeatures();
  }

  @Override
  public int parameterCount() {
    return inner.parameterCount();
  }

  @Override
  public void bind(Buf params, Buf grads) {
    inner.bind(params, grads);
  }

  @Override
  public void initialize(float[] dst, int offset, SplittableRandom rng) {
    inner.initialize(dst, offset, rng);
  }

  @Override
  public void forward(Backend be, Buf x, Buf y, int batch) {
    inner.forward(be, x, y, batch * positions); // x: [B·T, in] → y: [B·T, out]
  }

  @Override
  public void backward(Backend be, Buf x, Buf y, Buf dy, Buf dx, int batch) {
    inner.backward(be, x, y, dy, dx, batch * positions);
  }

  @Override
  public boolean replayable(Backend be) {
    return inner.replayable(be);
  }
}
