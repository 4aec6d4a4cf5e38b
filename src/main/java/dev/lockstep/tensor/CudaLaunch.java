package dev.lockstep.tensor;

import static dev.lockstep.tensor.CudaErrors.driver;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Kernel launches through the driver API with one reusable native argument block: slot i (8 bytes) holds
 * argument i and {@code params[i]} points at it, so a launch allocates nothing. cuLaunchKernel copies the
 * arguments, so the block may be rewritten as soon as it returns. Not thread-safe: one per backend.
 */
final class CudaLaunch {
  private static final int SLOTS = 16;

  private final BytePointer block = new BytePointer(SLOTS * 8L);
  private final ByteBuffer slots = block.asByteBuffer().order(ByteOrder.nativeOrder());
  private final PointerPointer<CudaPointer> params = new PointerPointer<>(SLOTS);
  private int count;

  CudaLaunch() {
    // params[i] = &slot[i]; set one by one: new PointerPointer(p) with one pointer would be a cast, not an array
    for (int i = 0; i < SLOTS; i++) {
      params.put(i, new CudaPointer(block.address() + 8L * i));
    }
  }

  CudaLaunch args() {
    count = 0;
    return this;
  }

  CudaLaunch ptr(long address) {
    slots.putLong(slot(), address);
    return this;
  }

  CudaLaunch f32(float value) {
    slots.putFloat(slot(), value);
    return this;
  }

  CudaLaunch i32(int value) {
    slots.putInt(slot(), value);
    return this;
  }

  CudaLaunch f64(double value) {
    slots.putDouble(slot(), value);
    return this;
  }

  CudaLaunch i64(long value) {
    slots.putLong(slot(), value);
    return this;
  }

  /** Launches {@code fn} with the arguments written since {@link #args()} on {@code stream}. */
  void launch(CUfunc_st fn, String name, int gridX, int gridY, int blockX, int blockY, CUstream_st stream) {
    driver(cudart.cuLaunchKernel(fn, gridX, gridY, 1, blockX, blockY, 1, 0, stream, params, null),
        "cuLaunchKernel(" + name + ")");
  }

  private int slot() {
    if (count == SLOTS) {
      throw new IllegalStateException("kernel with more than " + SLOTS + " arguments");
    }
    return 8 * count++;
  }
}
