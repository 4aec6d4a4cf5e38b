package dev.lockstep.objective;

import dev.lockstep.tensor.Buf;
import java.util.List;

/**
 * The objective of a training step, computed where the model output lives: on the host for the CPU backend
 * ({@link HostStepObjective}, the host objectives over the output's floats), or by fused device kernels when the
 * backend has them ({@link DeviceStepObjective}: no output download, no gradient upload). {@link StepObjectives}
 * picks one. The loss sum and correct count accumulate until {@link #take} reads them.
 */
public interface StepObjective {
  /** Row-wise "predicted right" on the host, for the host path: output [rows, cols] against targets. */
  @FunctionalInterface
  interface HostCorrect {
    int correct(float[] output, Targets targets, int rows, int cols);
  }

  /**
   * output, grad: [rows, cols] buffers of the backend; writes gradScale · dLoss/dOutput into grad and adds the
   * rows' loss sum and correct count to the step's figures. Bad targets throw as the host objectives do.
   */
  void compute(Buf output, Targets targets, int rows, int cols, Buf grad, float gradScale);

  /**
   * The l2/l1 terms over the {@code slices} of the flat weights: adds rows·R(w) to the loss figures and ∇R into
   * {@code grads} (nothing when both coefficients are 0).
   */
  void regularize(Regularization reg, List<Regularization.Slice> slices, Buf params, Buf grads, int rows);

  /** [loss sum, correct] added since the last call; on a device this waits for it (one 16-byte read). */
  double[] take();

  /** True when the objective runs on the device (no per-step output/gradient copies). */
  boolean onDevice();
}
