package dev.lockstep.tensor;

import dev.lockstep.config.BackendConfig;
import java.io.PrintStream;
import java.util.Optional;

/**
 * Chooses a rank's backend from {@code backend.device}: {@code cuda} demands a GPU (rank r uses GPU
 * r % deviceCount), {@code auto} takes one when the driver and a device are there and otherwise falls back to the
 * CPU, saying so once, {@code cpu} is OpenBLAS.
 */
public final class Backends {
  private Backends() {}

  /**
   * @param ranksOnMachine ranks sharing this machine's cores (BLAS threads = cores / ranks when threads is 0)
   * @param log            where to say which backend was chosen (null: stay quiet, e.g. ranks other than 0)
   * @throws NoDeviceException when {@code cuda} is demanded and no GPU is usable
   */
  public static Backend select(BackendConfig cfg, int rank, int ranksOnMachine, PrintStream log) {
    if (!cfg.device().equals("cpu")) {
      Optional<String> unavailable = CudaBackend.unavailableReason();
      if (unavailable.isEmpty()) {
        return CudaBackend.create(rank % CudaBackend.deviceCount(), cfg.tf32());
      }
      if (cfg.device().equals("cuda")) {
        throw new NoDeviceException("backend.device is cuda but no GPU is usable: " + unavailable.get());
      }
      if (log != null) {
        log.println(fallbackLine(unavailable.get(), "1".equals(System.getenv("LOCKSTEP_DEBUG"))));
      }
    }
    return CpuBackend.create(cpuThreads(cfg, ranksOnMachine));
  }

  /**
   * What every CPU-only run of {@code backend.device: auto} says once: short, since it is expected on most machines;
   * the reason (a loader message of a few hundred characters) under {@code LOCKSTEP_DEBUG=1} and in doctor.
   */
  static String fallbackLine(String reason, boolean debug) {
    return debug ? "lockstep: no usable GPU (" + reason + "); using the CPU backend"
        : "lockstep: no usable GPU; using the CPU backend (why: 'lockstep doctor' or LOCKSTEP_DEBUG=1)";
  }

  /**
   * What {@link #select} would choose for rank 0 of {@code ranksOnMachine}, in words, without creating anything
   * ({@code lockstep doctor}); a {@link NoDeviceException} when it would refuse.
   */
  public static String describeChoice(BackendConfig cfg, int ranksOnMachine) {
    if (!cfg.device().equals("cpu")) {
      Optional<String> unavailable = CudaBackend.unavailableReason();
      if (unavailable.isEmpty()) {
        int devices = CudaBackend.deviceCount();
        return String.format("cuda (backend.device %s): %d GPU(s), rank r uses GPU r %% %d%s", cfg.device(), devices,
            devices, cfg.tf32() ? ", TF32 on" : "");
      }
      if (cfg.device().equals("cuda")) {
        throw new NoDeviceException("backend.device is cuda but no GPU is usable: " + unavailable.get());
      }
    }
    return String.format("cpu (backend.device %s): OpenBLAS, %d thread(s) per rank with %d rank(s)", cfg.device(),
        cpuThreads(cfg, ranksOnMachine), ranksOnMachine);
  }

  private static int cpuThreads(BackendConfig cfg, int ranksOnMachine) {
    return cfg.threads() > 0 ? cfg.threads()
        : Math.max(1, Runtime.getRuntime().availableProcessors() / Math.max(1, ranksOnMachine));
  }
}
