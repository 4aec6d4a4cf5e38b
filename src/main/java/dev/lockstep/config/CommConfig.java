package dev.lockstep.config;

/**
 * comm: deadline of every collective (seconds), the allreduce algorithm (auto | shm | shm_process | ring | mpj |
 * nccl; mpj = MPJ's built-in, nccl = gradients reduced on the GPUs), the gradient bucket cap in MB for overlapping
 * the allreduce with backward (0 = no overlap), after how many seconds in one collective the stall inspector names
 * the ranks that have not arrived, and the 16-bit format of the gradient allreduce's payload (none | bf16 | fp16).
 */
public record CommConfig(Double timeoutS, String algorithm, Double bucketMb, Double warnAfterS, String compression) {
  /** Without compression (its default, none). */
  public CommConfig(Double timeoutS, String algorithm, Double bucketMb, Double warnAfterS) {
    this(timeoutS, algorithm, bucketMb, warnAfterS, null);
  }

  /** Without the stall-inspector setting (its default). */
  public CommConfig(Double timeoutS, String algorithm, Double bucketMb) {
    this(timeoutS, algorithm, bucketMb, null);
  }

  public CommConfig {
    timeoutS = timeoutS != null ? timeoutS : 120.0;
    warnAfterS = warnAfterS != null ? warnAfterS : 30.0;
    algorithm = algorithm != null ? algorithm : "auto";
    bucketMb = bucketMb != null ? bucketMb : 4.0;
    compression = compression != null ? compression : "none";
  }

  /** {@link #bucketMb} in bytes (MB = 2^20 bytes). */
  public long bucketBytes() {
    return (long) (bucketMb * (1 << 20));
  }
}
