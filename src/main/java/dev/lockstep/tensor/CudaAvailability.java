package dev.lockstep.tensor;

import java.util.Optional;
import org.bytedeco.cuda.global.cudart;

/**
 * Whether this process can use CUDA at all, probed once per JVM (the answer is a fact about the machine and
 * the loaded native libraries, not per rank). Never throws: a missing driver shows up as an
 * {@link UnsatisfiedLinkError} when JavaCPP loads the CUDA classes, which becomes a one-line reason.
 */
final class CudaAvailability {
  private CudaAvailability() {}

  /** Initialised on first use, immutable after: the holder idiom makes that thread-safe. */
  private static final class Holder {
    static final CudaAvailability.Result RESULT = probe();
  }

  record Result(int deviceCount, Optional<String> unavailableReason) {}

  static Result result() {
    return Holder.RESULT;
  }

  private static Result probe() {
    try {
      int[] count = new int[1];
      int rc = cudart.cudaGetDeviceCount(count);
      if (rc == cudart.cudaErrorNoDevice) {
        return unavailable("no CUDA device is visible (cudaErrorNoDevice)");
      }
      if (rc == cudart.cudaErrorInsufficientDriver) {
        return unavailable("the NVIDIA driver is too old for the CUDA 13 libraries (cudaErrorInsufficientDriver)");
      }
      if (rc != 0) {
        return unavailable("cudaGetDeviceCount failed: " + CudaErrors.runtimeName(rc) + " (" + rc + ")");
      }
      if (count[0] <= 0) {
        return unavailable("no CUDA device is visible");
      }
      return new Result(count[0], Optional.empty());
    } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
      return unavailable("cannot load the CUDA libraries (" + rootMessage(e) + "); no NVIDIA driver or CUDA 13 "
          + "runtime on this machine?");
    }
  }

  private static Result unavailable(String why) {
    return new Result(0, Optional.of("CUDA unavailable: " + why));
  }

  /** The innermost message: JavaCPP wraps the dlopen error ("libcuda.so.1: cannot open ...") in its own. */
  private static String rootMessage(Throwable e) {
    String message = e.getMessage();
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        message = t.getMessage();
      }
    }
    String oneLine = message == null ? e.getClass().getSimpleName() : message.strip().replace('\n', ' ');
    int colon = oneLine.indexOf(".so: "); // "/root/.javacpp/cache/.../libjnicudart.so: libcuda.so.1: cannot ..."
    return colon >= 0 ? oneLine.substring(colon + 5) : oneLine;
  }
}
