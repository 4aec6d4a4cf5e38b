package dev.lockstep.tensor;

import dev.lockstep.config.BackendConfig;
import java.io.PrintStream;

/** Chooses a rank's backend from {@code backend.device}; the CPU is the only one today. */
public final class Backends {
  private Backends() {}

  /**
   * @param ranksOnMachine ranks sharing this machine's cores (BLAS threads = cores / ranks when threads is 0)
   * @param log            where to say which backend was chosen (null: stay quiet)
   */
  public static Backend select(BackendConfig cfg, int ranksOnMachine, PrintStream log) {
    if (!cfg.device().equals("auto") && !cfg.device().equals("cpu")) {
      throw new IllegalArgumentException("backend.device: " + cfg.device() + " is not supported (auto, cpu)");
    }
    int threads = cfg.threads() > 0 ? cfg.threads()
        : Math.max(1, Runtime.getRuntime().availableProcessors() / Math.max(1, ranksOnMachine));
    return CpuBackend.create(threads);
  }
}
