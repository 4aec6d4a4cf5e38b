package dev.lockstep.tensor;

import org.bytedeco.javacpp.Pointer;

/**
 * A JavaCPP {@link Pointer} at an exact address (device or pinned host memory), with position 0 and no
 * deallocator. Views and kernel arguments use it instead of {@code position(...)}: JavaCPP scales a position
 * by the element size of the declared native type, which for {@code void*} parameters and {@code PointerPointer}
 * entries is one byte, not four.
 */
final class CudaPointer extends Pointer {
  CudaPointer(long address) {
    super((Pointer) null);
    this.address = address;
  }
}
