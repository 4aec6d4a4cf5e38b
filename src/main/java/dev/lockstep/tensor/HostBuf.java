package dev.lockstep.tensor;

import java.nio.FloatBuffer;

/**
 * A {@link Buf} whose floats live in host memory the JVM can address directly (the CPU backend's). Lets host-side
 * consumers such as the gradient allreduce work on the buffer in place instead of through upload/download copies.
 */
public interface HostBuf extends Buf {
  /**
   * A {@link FloatBuffer} sharing this buffer's memory: index 0 is this view's first float, capacity its length.
   * A fresh duplicate each call, so callers may move its position freely; writes go to the buffer itself.
   */
  FloatBuffer floats();
}
