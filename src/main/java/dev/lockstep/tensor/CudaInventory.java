package dev.lockstep.tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.cuda.global.cudart;

/**
 * The CUDA devices this process can use, with driver and runtime versions, or why there are none. For
 * {@code lockstep doctor}; training decides through {@link CudaBackend#unavailableReason()}.
 *
 * @param driverVersion e.g. "13.0" (what the installed driver supports); empty when it cannot be asked
 * @param runtimeVersion the CUDA runtime JavaCPP bundles, e.g. "13.1"
 */
public record CudaInventory(Optional<String> unavailableReason, Optional<String> driverVersion,
                            Optional<String> runtimeVersion, List<Device> devices) {
  public record Device(int index, String name, int major, int minor, long memoryBytes) {}

  /** Never throws: a missing driver or library becomes the reason. */
  public static CudaInventory probe() {
    Optional<String> unavailable = CudaBackend.unavailableReason();
    Optional<String> driver = Optional.empty(), runtime = Optional.empty();
    List<Device> devices = new ArrayList<>();
    try {
      int[] v = new int[1];
      if (cudart.cudaDriverGetVersion(v) == 0 && v[0] > 0) {
        driver = Optional.of(version(v[0]));
      }
      if (cudart.cudaRuntimeGetVersion(v) == 0 && v[0] > 0) {
        runtime = Optional.of(version(v[0]));
      }
      if (unavailable.isEmpty()) {
        for (int d = 0; d < CudaBackend.deviceCount(); d++) {
          try (cudaDeviceProp p = new cudaDeviceProp()) {
            if (cudart.cudaGetDeviceProperties(p, d) == 0) {
              devices.add(new Device(d, p.name().getString().strip(), p.major(), p.minor(), p.totalGlobalMem()));
            }
          }
        }
      }
    } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
      // the libraries do not load: unavailableReason already says so
    }
    return new CudaInventory(unavailable, driver, runtime, List.copyOf(devices));
  }

  /** CUDA's encoding 1000 × major + 10 × minor. */
  static String version(int encoded) {
    return encoded / 1000 + "." + encoded % 1000 / 10;
  }
}
