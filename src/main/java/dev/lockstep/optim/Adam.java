package dev.lockstep.optim;

import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;
import java.util.List;

/**
 * Adam with bias correction. Weight decay is either L2 folded into the gradient ({@code decoupled = false}, "adam")
 * or decoupled, w -= lr·wd·w before the update ({@code decoupled = true}, "adamw"), as in PyTorch.
 */
public final class Adam implements Optimizer {
  private final float beta1;
  private final float beta2;
  private final float eps;
  private final float weightDecay;
  private final boolean decoupled;
  private final Buf m; // [params] first moment
  private final Buf v; // [params] second moment
  private long steps;

  public Adam(Backend be, long paramCount, float beta1, float beta2, float eps, float weightDecay, boolean decoupled) {
    if (beta1 < 0f || beta1 >= 1f) {
      throw new IllegalArgumentException("optimizer.beta1: must be in [0, 1), got " + beta1);
    }
    if (beta2 < 0f || beta2 >= 1f) {
      throw new IllegalArgumentException("optimizer.beta2: must be in [0, 1), got " + beta2);
    }
    if (!(eps > 0f)) {
      throw new IllegalArgumentException("optimizer.eps: must be > 0, got " + eps);
    }
    if (weightDecay < 0f) {
      throw new IllegalArgumentException("optimizer.weight_decay: must be >= 0, got " + weightDecay);
    }
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.weightDecay = weightDecay;
    this.decoupled = decoupled;
    this.m = be.allocate(paramCount);
    this.v = be.allocate(paramCount);
  }

  @Override
  public String name() {
    return decoupled ? "adamw" : "adam";
  }

  @Override
  public void step(Backend be, Buf params, Buf grads, float lr) {
    steps++;
    be.adamStep(params, grads, m, v, lr, beta1, beta2, eps, weightDecay, decoupled, steps);
  }

  /** [m, v]. */
  @Override
  public List<Buf> stateBuffers() {
    return List.of(m, v);
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
