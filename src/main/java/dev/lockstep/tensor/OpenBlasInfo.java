package dev.lockstep.tensor;

import org.bytedeco.openblas.global.openblas_full;

/**
 * The OpenBLAS build this JVM loads (JavaCPP's bundled library): its configuration string, the core type its
 * DYNAMIC_ARCH dispatch picked for this CPU, and its thread counts. For {@code lockstep doctor}.
 *
 * @param config e.g. "OpenBLAS 0.3.31 DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=64"
 * @param coreName the kernel set in use, e.g. "SkylakeX" (a generic "Prescott" on a modern CPU means slow kernels)
 * @param threads OpenBLAS's current thread count
 * @param processors the processors OpenBLAS sees
 */
public record OpenBlasInfo(String config, String coreName, int threads, int processors) {
  /** Loads OpenBLAS (a second or so the first time) and asks it; an {@link UnsatisfiedLinkError} if it cannot load. */
  public static OpenBlasInfo probe() {
    return new OpenBlasInfo(openblas_full.openblas_get_config().getString().strip(),
        openblas_full.openblas_get_corename().getString().strip(), openblas_full.openblas_get_num_threads(),
        openblas_full.openblas_get_num_procs());
  }
}
