package dev.lockstep.config;

/** comm: deadline of every collective (seconds) and the allreduce algorithm (auto | shm | ring | mpj; mpj = MPJ's built-in). */
public record CommConfig(Double timeoutS, String algorithm) {
  public CommConfig {
    timeoutS = timeoutS != null ? timeoutS : 120.0;
    algorithm = algorithm != null ? algorithm : "auto";
  }
}
