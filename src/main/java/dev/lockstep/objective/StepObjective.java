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
   * Takes the step's targets ([rows] class ids or [rows, cols] values): checks them (bad targets throw as the host
   * objectives do) and, on a device, uploads them into a buffer of its own. Kept apart from {@link #launch} so that
   * the launch may be recorded in a CUDA graph (an upload waits for the device).
   */
  void stage(Targets targets, int rows, int cols);

  /**
   * output, grad: [rows, cols] buffers of the backend, against the staged targets (same rows and cols): writes
   * gradScale · dLoss/dOutput into grad and adds the rows' loss sum and correct count to the step's figures. On a
   * device it only enqueues kernels.
   */
  void launch(Buf output, int rows, int cols, Buf grad, float gradScale);

  /** {@link #stage} then {@link #launch}. */
  default void compute(Buf output, Targets targets, int rows, int cols, Buf grad, float gradScale) {
    stage(targets, rows, cols);
    launch(output, rows, cols, grad, gradScale);
  }

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
