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
import dev.lockstep.tensor.CudaBackend;
import dev.lockstep.tensor.CudaNccl;
import dev.lockstep.tensor.DeviceAllreduce;
import dev.lockstep.tensor.NcclChoice;

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
      case "sync" -> sync(cfg, comm, backend, params, optimizer);
      case "async" -> async(cfg, comm, backend, params, optimizer, null);
      case "auto" -> {
        SkewPolicy policy = new SkewPolicy(cfg.update().auto(), comm.size());
        yield new AutoUpdate(comm, backend, params, sync(cfg, comm, backend, params, optimizer),
            async(cfg, comm, backend, params, optimizer, policy), cfg.update().async().algorithm(), policy, listener);
      }
      default -> throw new IllegalArgumentException("update.mode: unknown mode " + mode);
    };
  }

  /**
   * Synchronous updates; the gradient allreduce runs on the GPUs through NCCL where {@link NcclChoice} says so
   * (rank 0 makes the NCCL id, every rank receives it as floats over MPJ), through host memory otherwise.
   */
  private static SyncUpdate sync(LockstepConfig cfg, Communicator comm, Backend backend, Parameters params,
                                 Optimizer optimizer) {
    NcclChoice choice = NcclChoice.decide(cfg.comm().algorithm(), comm.size(), comm.ranksShareJvm(),
        backend.name().equals("cuda"), CudaBackend.deviceCount(), CudaNccl::unavailableReason);
    if (choice.note() != null && comm.rank() == 0) {
      System.out.println("lockstep: " + choice.note());
    }
    if (!choice.useNccl()) {
      return new SyncUpdate(comm, backend, params, optimizer, cfg.comm().bucketBytes(),
          Compression.parse(cfg.comm().compression()));
    }
    float[] id = new float[CudaNccl.ID_BYTES];
    if (comm.rank() == 0) {
      byte[] bytes = CudaNccl.uniqueId();
      for (int i = 0; i < id.length; i++) {
        id[i] = bytes[i] & 0xff; // exact in a float
      }
    }
    comm.broadcast(id, 0, id.length, 0);
    byte[] bytes = new byte[id.length];
    for (int i = 0; i < id.length; i++) {
      bytes[i] = (byte) (int) id[i];
    }
    DeviceAllreduce nccl = CudaNccl.join(backend, comm.rank(), comm.size(), bytes);
    if (comm.rank() == 0) {
      System.out.println("lockstep: gradients allreduced on the GPUs by " + nccl.describe());
    }
    return new SyncUpdate(comm, backend, params, optimizer, nccl);
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
