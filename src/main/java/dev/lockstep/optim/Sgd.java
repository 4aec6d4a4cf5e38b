package dev.lockstep.optim;

import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;
import java.util.List;

/**
 * SGD with optional (Nesterov) momentum and L2 weight decay, PyTorch's formulation: g' = g + wd·w;
 * m = μ·m + g'; w -= lr·(nesterov ? g' + μ·m : m).
 */
public final class Sgd implements Optimizer {
  private final float momentum;
  private final boolean nesterov;
  private final float weightDecay;
  private final Buf velocity; // [params] or null when momentum = 0
  private long steps;

  public Sgd(Backend be, long paramCount, float momentum, boolean nesterov, float weightDecay) {
    if (momentum < 0f || momentum >= 1f) {
      throw new IllegalArgumentException("optimizer.momentum: must be in [0, 1), got " + momentum);
    }
    if (nesterov && momentum == 0f) {
      throw new IllegalArgumentException("optimizer.nesterov: needs momentum > 0");
    }
    if (weightDecay < 0f) {
      throw new IllegalArgumentException("optimizer.weight_decay: must be >= 0, got " + weightDecay);
    }
    this.momentum = momentum;
    this.nesterov = nesterov;
    this.weightDecay = weightDecay;
    this.velocity = momentum > 0f ? be.allocate(paramCount) : null;
  }

  @Override
  public String name() {
    return "sgd";
  }

  @Override
  public void step(Backend be, Buf params, Buf grads, float lr) {
    be.sgdStep(params, grads, velocity, lr, momentum, nesterov, weightDecay);
    steps++;
  }

  @Override
  public List<Buf> stateBuffers() {
    return velocity == null ? List.of() : List.of(velocity);
  }

  @Override
  public long stepCount() {
    return steps;
  }

  @Override
  public void setStepCount(long steps) {
    this.steps = steps;
  }
}
