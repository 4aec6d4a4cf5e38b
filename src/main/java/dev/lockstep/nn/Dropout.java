package dev.lockstep.nn;

import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;
import dev.lockstep.tensor.DropoutMask;

/**
 * Inverted dropout: in training, each element is zeroed with probability {@code rate} and the rest scaled by
 * 1/(1 − rate); in evaluation it is the identity. The mask is a hash of (run.seed, layer index, step, global row,
 * column) — see {@link DropoutMask} — so it needs no generator state: N ranks drop exactly what one rank with the
 * global batch drops, a checkpointing recompute drops the same elements, and a resumed run continues the same
 * masks. Backward applies the same mask to dy.
 */
public final class Dropout implements Layer {
  private final float rate;
  private final int width;
  private final int layerIndex;
  private PassContext pass = PassContext.EVAL;

  public Dropout(float rate, int width, int layerIndex) {
    if (!(rate >= 0f && rate < 1f)) {
      throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + rate);
    }
    if (width <= 0) {
      throw new IllegalArgumentException("dropout needs a positive width, got " + width);
    }
    this.rate = rate;
    this.width = width;
    this.layerIndex = layerIndex;
  }

  public float rate() {
    return rate;
  }

  @Override
  public boolean replayable(Backend be) {
    return false; // the mask's key (seed, step, first row) is passed by value per step: a recording would freeze it
  }

  @Override
  public String describe() {
    return "dropout(" + rate + ")";
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
  public void setPass(PassContext pass) {
    this.pass = pass;
  }

  @Override
  public void forward(Backend be, Buf x, Buf y, int batch) {
    // x: [B, width] → y: [B, width]
    long n = (long) batch * width;
    if (!pass.training() || rate == 0f) {
      be.copy(x.view(0, n), y.view(0, n));
    } else {
      be.dropout(x, y, batch, width, key(), pass.firstRow(), rate);
    }
  }

  @Override
  public void backward(Backend be, Buf x, Buf y, Buf dy, Buf dx, int batch) {
    if (dx == null) {
      return;
    }
    long n = (long) batch * width;
    if (!pass.training() || rate == 0f) {
      be.copy(dy.view(0, n), dx.view(0, n));
    } else {
      be.dropout(dy, dx, batch, width, key(), pass.firstRow(), rate); // the same mask and scale
    }
  }

  private long key() {
    return DropoutMask.key(pass.seed(), layerIndex, pass.step());
  }
}
