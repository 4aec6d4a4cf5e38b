package dev.lockstep.update;

import dev.lockstep.comm.Communicator;
import dev.lockstep.comm.Compression;
import dev.lockstep.config.AsyncUpdateConfig;
import dev.lockstep.config.LockstepConfig;
import dev.lockstep.nn.Parameters;
import dev.lockstep.optim.Optimizer;
import dev.lockstep.optim.Optimizers;
import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.CpuBackend;

/** Builds the strategy update.mode names (sync | async | auto), with the settings of update.async / update.auto. */
public final class UpdateStrategies {
  private UpdateStrategies() {}

  /**
   * @param optimizer the rank's optimizer over {@code params} (sync steps, local SGD)
   * @param listener told of auto's switches (every rank calls it; rank 0 logs)
   */
  public static UpdateStrategy create(LockstepConfig cfg, Communicator comm, Backend backend, Parameters params,
                                      Optimizer optimizer, ModeSwitchListener listener) {
    String mode = cfg.update().mode();
    return switch (mode) {
      case "sync" -> new SyncUpdate(comm, backend, params, optimizer, cfg.comm().bucketBytes(),
          Compression.parse(cfg.comm().compression()));
      case "async" -> async(cfg, comm, backend, params, optimizer, null);
      case "auto" -> {
        SkewPolicy policy = new SkewPolicy(cfg.update().auto(), comm.size());
        yield new AutoUpdate(comm, backend, params, new SyncUpdate(comm, backend, params, optimizer, cfg.comm().bucketBytes(),
          Compression.parse(cfg.comm().compression())),
            async(cfg, comm, backend, params, optimizer, policy), cfg.update().async().algorithm(), policy, listener);
      }
      default -> throw new IllegalArgumentException("update.mode: unknown mode " + mode);
    };
  }

  private static AsyncUpdate async(LockstepConfig cfg, Communicator comm, Backend backend, Parameters params,
                                      Optimizer optimizer, SkewPolicy recovery) {
    AsyncUpdateConfig a = cfg.update().async();
    if (a.algorithm().equals("local_sgd")) {
      return new LocalSgdUpdate(comm, backend, params, optimizer, a.period(), a.periodMs(), recovery);
    }
    // The server's own CPU backend and optimizer (rank 0 only): backends are not shared between threads.
    Backend serverBackend = comm.rank() == 0 ? CpuBackend.create(0) : null;
    Optimizer serverOptimizer = serverBackend != null
        ? Optimizers.create(cfg.optimizer(), serverBackend, params.length()) : null;
    return new ParameterServerUpdate(comm, backend, params, serverBackend, serverOptimizer, a.maxStaleness(),
        recovery, cfg.comm().timeoutS());
  }
}
