package dev.lockstep.tensor;

import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.nvrtc;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;

/** Return-code checks for every CUDA library we call: throw {@link CudaException} naming the call and the code. */
final class CudaErrors {
  private CudaErrors() {}

  /** CUDA runtime (cuda*). */
  static void cuda(int rc, String call) {
    if (rc != 0) {
      throw new CudaException(call + " failed: " + runtimeName(rc) + " (" + rc + ")");
    }
  }

  /** cuBLAS (cublas*). */
  static void cublas(int rc, String call) {
    if (rc != 0) {
      BytePointer name = cublas.cublasGetStatusName(rc);
      throw new CudaException(call + " failed: " + (name == null ? "?" : name.getString()) + " (" + rc + ")");
    }
  }

  /** CUDA driver API (cu*). */
  static void driver(int rc, String call) {
    if (rc != 0) {
      PointerPointer<BytePointer> name = new PointerPointer<>(1);
      String text = cudart.cuGetErrorName(rc, name) == 0 && name.get(0) != null
          ? name.getString(0) : "?";
      throw new CudaException(call + " failed: " + text + " (" + rc + ")");
    }
  }

  /** NVRTC (nvrtc*); {@code log} is the compiler's output, if any. */
  static void nvrtc(int rc, String call, String log) {
    if (rc != 0) {
      BytePointer name = nvrtc.nvrtcGetErrorString(rc);
      throw new CudaException(call + " failed: " + (name == null ? "?" : name.getString()) + " (" + rc + ")"
          + (log == null || log.isBlank() ? "" : "\n" + log.strip()));
    }
  }

  static String runtimeName(int rc) {
    BytePointer name = cudart.cudaGetErrorName(rc);
    return name == null ? "?" : name.getString();
  }
}
