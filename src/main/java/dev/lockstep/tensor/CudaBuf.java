package dev.lockstep.tensor;

import org.bytedeco.javacpp.FloatPointer;

/**
 * Device memory of one {@link CudaBackend}: a device address and a length in floats. A view is the same
 * allocation at {@code address + 4·offset}; it owns nothing. The backend frees root allocations when it is
 * closed.
 */
public final class CudaBuf implements Buf {
  private final CudaBackend owner;
  private final long address; // device address of element 0 (0 for an empty buffer)
  private final long length;
  private FloatPointer pointer; // lazily, for cuBLAS

  CudaBuf(CudaBackend owner, long address, long length) {
    this.owner = owner;
    this.address = address;
    this.length = length;
  }

  @Override
  public long length() {
    return length;
  }

  @Override
  public CudaBuf view(long offset, long length) {
    if (offset < 0 || length < 0 || offset > this.length - length) {
      throw new IndexOutOfBoundsException("view [" + offset + ", " + (offset + length) + ") outside a cuda buffer of "
          + this.length + " floats");
    }
    return new CudaBuf(owner, address + offset * Float.BYTES, length);
  }

  CudaBackend owner() {
    return owner;
  }

  /** Device address of element 0, in bytes. */
  long address() {
    return address;
  }

  /** The device address as a FloatPointer (position 0), for cuBLAS. */
  FloatPointer floatPointer() {
    if (pointer == null) {
      pointer = new FloatPointer(new CudaPointer(address));
    }
    return pointer;
  }

  @Override
  public String toString() {
    return "CudaBuf[" + length + " @0x" + Long.toHexString(address) + "]";
  }
}
