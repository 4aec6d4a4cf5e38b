package dev.lockstep.tensor;

/** A CUDA, cuBLAS, driver or NVRTC call returned an error; the message names the call and the code. */
public final class CudaException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CudaException(String message) {
    super(message);
  }
}
