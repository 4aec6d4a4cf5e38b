package dev.lockstep.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Host memory for {@link CpuBackend}: a direct, native-order {@link FloatBuffer} allocated once; a view is a
 * {@code slice} sharing that memory. Direct memory has a fixed address, so OpenBLAS reads it in place through a
 * {@link FloatPointer} (created on first use) without copies.
 */
public final class CpuBuf implements HostBuf {
  private final FloatBuffer data; // position 0, capacity = length
  private FloatPointer pointer; // lazily: only buffers that reach gemm need one

  private CpuBuf(FloatBuffer data) {
    this.data = data;
  }

  /** A zero-filled buffer of {@code length} floats (direct memory is zeroed by the JVM). */
  static CpuBuf allocate(long length) {
    if (length < 0 || length > Integer.MAX_VALUE / Float.BYTES) {
      throw new IllegalArgumentException("cpu buffer of " + length + " floats: length must be in [0, "
          + Integer.MAX_VALUE / Float.BYTES + "]");
    }
    ByteBuffer bytes = ByteBuffer.allocateDirect((int) length * Float.BYTES).order(ByteOrder.nativeOrder());
    return new CpuBuf(bytes.asFloatBuffer());
  }

  @Override
  public long length() {
    return data.capacity();
  }

  @Override
  public CpuBuf view(long offset, long length) {
    if (offset < 0 || length < 0 || offset + length > data.capacity()) {
      throw new IndexOutOfBoundsException("view [" + offset + ", " + (offset + length) + ") outside a buffer of "
          + data.capacity() + " floats");
    }
    return new CpuBuf(data.slice((int) offset, (int) length));
  }

  /** The floats themselves; use absolute get/put (index 0 = first float of this view). */
  FloatBuffer data() {
    return data;
  }

  @Override
  public FloatBuffer floats() {
    return data.duplicate();
  }

  /** Native address of this view's first float, for BLAS. */
  FloatPointer pointer() {
    if (pointer == null) {
      pointer = new FloatPointer(data);
    }
    return pointer;
  }

  @Override
  public String toString() {
    return "CpuBuf[" + data.capacity() + "]";
  }
}
