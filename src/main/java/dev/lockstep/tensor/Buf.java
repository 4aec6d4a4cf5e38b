package dev.lockstep.tensor;

/**
 * A run of floats owned by one {@link Backend}: host memory for the CPU backend, device memory for CUDA.
 * A view shares storage with its parent; that is how layers see their slice of the flat parameter buffer.
 */
public interface Buf {
  /** Number of floats. */
  long length();

  /** A view of {@code length} floats starting {@code offset} floats into this buffer. */
  Buf view(long offset, long length);
}
