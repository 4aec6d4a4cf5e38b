package dev.lockstep.tensor;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * Whether a run reduces its gradients with NCCL ({@code comm.algorithm: nccl}, or {@code auto} where it fits) or
 * through host memory (download → shm/ring allreduce → upload), decided alike on every rank from facts every rank
 * shares. NCCL needs: more than one rank, the CUDA backend, the ranks as threads of one JVM (multicore), a GPU of
 * its own for every rank, and the NCCL library. {@code nccl} asked for where it cannot run is an error — except
 * for ranks sharing a GPU, which NCCL cannot group: they take the host path, and {@link #note} says so in one line.
 */
public record NcclChoice(boolean useNccl, String note) {
  /**
   * @param algorithm        comm.algorithm as configured
   * @param ncclUnavailable  why libnccl cannot be loaded here, or empty; asked only when everything else fits
   * @throws IllegalArgumentException when {@code nccl} is demanded and cannot run (names the key and the reason)
   */
  public static NcclChoice decide(String algorithm, int ranks, boolean ranksShareJvm, boolean cudaBackend,
                                  int deviceCount, Supplier<Optional<String>> ncclUnavailable) {
    boolean demanded = algorithm.equals("nccl");
    if (ranks < 2 || !(demanded || algorithm.equals("auto"))) {
      return new NcclChoice(false, null); // one rank reduces nothing; other algorithms are host paths
    }
    if (!cudaBackend) {
      return refuse(demanded, "comm.algorithm: nccl needs backend.device cuda with a usable GPU; this run uses the "
          + "CPU backend");
    }
    if (!ranksShareJvm) {
      return refuse(demanded, "comm.algorithm: nccl needs the ranks as threads of one JVM (--dev multicore); use "
          + "auto, shm_process or ring with one process per rank");
    }
    if (ranks > deviceCount) {
      return new NcclChoice(false, demanded ? String.format("comm.algorithm nccl: %d ranks share %d GPU(s), which "
          + "NCCL cannot group; gradients go through host memory (shm) instead", ranks, deviceCount) : null);
    }
    Optional<String> missing = ncclUnavailable.get();
    if (missing.isPresent()) {
      return refuse(demanded, "comm.algorithm: nccl is unavailable here: " + missing.get());
    }
    return new NcclChoice(true, null);
  }

  private static NcclChoice refuse(boolean demanded, String why) {
    if (demanded) {
      throw new IllegalArgumentException(why);
    }
    return new NcclChoice(false, null);
  }
}
