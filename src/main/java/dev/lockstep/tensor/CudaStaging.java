package dev.lockstep.tensor;

import static dev.lockstep.tensor.CudaErrors.cuda;

import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Pinned (page-locked) host memory that uploads and downloads pass through, grown on demand up to
 * {@code maxFloats}; larger transfers go in chunks. The owner synchronizes the stream after each chunk, so the
 * buffer is never rewritten while a copy from it is in flight.
 */
final class CudaStaging implements AutoCloseable {
  private final long maxFloats;
  private Pointer host; // cudaMallocHost, or null while nothing was needed
  private FloatPointer floats;
  private long capacity; // floats

  CudaStaging(long maxFloats) {
    if (maxFloats < 1) {
      throw new IllegalArgumentException("staging of at least 1 float, got " + maxFloats);
    }
    this.maxFloats = maxFloats;
  }

  /** Largest chunk one copy may move. */
  long chunkFloats() {
    return maxFloats;
  }

  /** The staging floats, at least {@code n} (≤ chunkFloats) of them. */
  FloatPointer reserve(long n) {
    if (n > maxFloats) {
      throw new IllegalArgumentException("staging chunk of " + n + " floats exceeds " + maxFloats);
    }
    if (n > capacity) {
      release();
      long grown = Math.min(maxFloats, Math.max(n, 2 * capacity));
      Pointer p = new Pointer();
      cuda(cudart.cudaMallocHost(p, grown * Float.BYTES), "cudaMallocHost(" + grown * Float.BYTES + " bytes)");
      host = p;
      floats = new FloatPointer(new CudaPointer(p.address()));
      floats.capacity(grown);
      floats.limit(grown);
      capacity = grown;
    }
    return floats;
  }

  /** Device-copy endpoint for the staging floats (address, position 0). */
  Pointer address() {
    return host;
  }

  private void release() {
    if (host != null) {
      Pointer p = host;
      host = null;
      floats = null;
      capacity = 0;
      cuda(cudart.cudaFreeHost(p), "cudaFreeHost");
    }
  }

  @Override
  public void close() {
    release();
  }
}
