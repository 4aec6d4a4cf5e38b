package dev.lockstep.optim;

import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;
import java.util.List;

/**
 * Updates the flat parameter buffer from the flat gradient buffer. State (momentum, Adam m/v) lives in buffers of
 * the same flat layout, allocated on the backend at construction; {@link #stateBuffers()} and the step counter are
 * what a snapshot saves and restores.
 */
public interface Optimizer {
  String name();

  /** One update with learning rate {@code lr}; advances {@link #stepCount()} by one. */
  void step(Backend be, Buf params, Buf grads, float lr);

  /** State buffers in a fixed order (empty for plain SGD); a snapshot writes them and reads them back in place. */
  List<Buf> stateBuffers();

  /** Steps taken so far (Adam's bias correction uses it). */
  long stepCount();

  void setStepCount(long steps);
}
