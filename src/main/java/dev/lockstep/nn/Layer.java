package dev.lockstep.nn;

import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;
import java.util.SplittableRandom;

/**
 * One layer of a sequential model, with forward and backward side by side. A layer owns no parameter
 * storage: {@link #bind} hands it views of the model's flat parameter and gradient buffers. Layers know
 * nothing of ranks or checkpointing.
 */
public interface Layer {
  /** Short name for plans and logs, e.g. "linear(784→1024)". */
  String describe();

  int inFeatures();

  int outFeatures();

  /** Floats of parameters this layer needs in the flat buffer (0 for activations). */
  int parameterCount();

  /**
   * Relative cost of one sample's forward (≈ flops), which gradient checkpointing weighs when it chooses what to
   * recompute: 2 × parameters + output width by default (exact for a linear layer and its activation).
   */
  default long forwardCost() {
    return 2L * parameterCount() + outFeatures();
  }

  /** Gives the layer its slices of the flat buffers (each {@link #parameterCount()} long). */
  default void bind(Buf params, Buf grads) {}

  /** Seeded initialisation of this layer's parameters, written on the host into {@code dst[offset...]}. */
  default void initialize(float[] dst, int offset, SplittableRandom rng) {}

  /**
   * Floats of non-trainable state this layer keeps in the model's flat buffer region (batch norm's running
   * statistics): saved in snapshots and exported, never touched by the optimizer. 0 for most layers.
   */
  default int bufferCount() {
    return 0;
  }

  /** Gives the layer its slice of the flat buffer region ({@link #bufferCount()} long). */
  default void bindBuffers(Buf buffers) {}

  /** Initial values of the buffers, written on the host into {@code dst[offset...]}. */
  default void initializeBuffers(float[] dst, int offset) {}

  /**
   * The forward pass about to run (training or evaluation, step, global row of the batch, cross-rank sums,
   * recompute): called by the step executor before each pass. Layers that behave the same in every pass ignore it.
   */
  default void setPass(PassContext pass) {}

  /** x: [batch, in] → y: [batch, out]. */
  void forward(Backend be, Buf x, Buf y, int batch);

  /**
   * Given x, y = forward(x) and dy = dL/dy, <em>accumulates</em> dL/dparams into the bound gradient slice and
   * writes dx = dL/dx (dx is null for the first layer, whose input gradient nobody needs).
   */
  void backward(Backend be, Buf x, Buf y, Buf dy, Buf dx, int batch);

  /**
   * Whether a step through this layer on {@code be} may be recorded once and replayed as a CUDA graph: false when forward or
   * backward copies through host memory (waits for the device) or passes a value that changes per step (a
   * dropout seed) and that a recording would freeze. Layers that only enqueue backend operations keep the default.
   */
  default boolean replayable(Backend be) {
    return true;
  }
}
