package dev.lockstep.train;

import dev.lockstep.nn.LayerRange;
import dev.lockstep.nn.Linear;
import dev.lockstep.nn.Parameters;
import dev.lockstep.objective.Regularization;
import dev.lockstep.objective.StepObjective;
import dev.lockstep.tensor.Backend;
import java.util.ArrayList;
import java.util.List;

/**
 * objective.l2 / l1 in a data-parallel step: the penalty covers the linear layers' weight matrices (not
 * biases). It must enter the SUM-allreduce once, not once per rank, so only rank 0 adds ∇R to its local
 * gradient and globalBatch·R to its loss sum; after the reduction every rank holds the gradient and mean loss
 * of (data term + R), identically for any number of ranks. On the host path that costs a weight and gradient copy
 * on rank 0 per step, on a device (fused kernels) none; nothing when both coefficients are 0. Local SGD steps each replica on its own batch's mean, so there
 * every rank adds ∇R, and R per row of its own batch.
 */
final class RegularizationTerm {
  private final Regularization reg;
  private final Parameters params;
  private final Backend backend;
  private final List<Regularization.Slice> slices = new ArrayList<>();
  private final float[] weights;

  RegularizationTerm(Regularization reg, Parameters params, Backend backend) {
    this.reg = reg;
    this.params = params;
    this.backend = backend;
    for (LayerRange r : params.layerRanges()) {
      if (params.model().layers().get(r.layerIndex()) instanceof Linear linear) {
        slices.add(new Regularization.Slice((int) r.offset(), linear.inFeatures() * linear.outFeatures()));
      }
    }
    this.weights = reg.active() ? new float[params.length()] : null;
  }

  /**
   * Adds ∇R to the local gradient when {@code adds} (the lead rank; every rank under local SGD, whose replicas each
   * step on their own loss), and R per row of the {@code rows} the loss is a mean over to the step's loss figures
   * — where the step objective runs (on a device: no weight or gradient copies).
   */
  void addToStep(StepObjective step, boolean adds, int rows) {
    if (reg.active() && adds) {
      step.regularize(reg, slices, params.params(), params.grads(), rows);
    }
  }

  /** R(w) of the current weights (the same on every rank). */
  double value() {
    if (!reg.active()) {
      return 0.0;
    }
    backend.download(params.params(), weights, 0);
    return reg.value(weights, slices);
  }
}
