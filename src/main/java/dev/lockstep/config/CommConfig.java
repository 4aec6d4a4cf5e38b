package dev.lockstep.config;

/**
 * comm: deadline of every collective (seconds), the allreduce algorithm (auto | shm | ring | mpj; mpj = MPJ's
 * built-in), and after how many seconds in one collective the stall inspector names the ranks that have not arrived.
 */
public record CommConfig(Double timeoutS, String algorithm, Double warnAfterS) {
  public CommConfig {
    timeoutS = timeoutS != null ? timeoutS : 120.0;
    warnAfterS = warnAfterS != null ? warnAfterS : 30.0;
    algorithm = algorithm != null ? algorithm : "auto";
  }
}
