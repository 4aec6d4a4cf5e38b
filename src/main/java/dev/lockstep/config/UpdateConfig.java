package dev.lockstep.config;

/**
 * update: how gradients become updates across ranks (sync today), how often replicas compare checksums, and what a
 * non-finite (NaN/Inf) loss or averaged gradient does: stop the run (default) or skip that step's update.
 */
public record UpdateConfig(String mode, Integer checkEvery, String onNonfinite) {
  public UpdateConfig {
    mode = mode != null ? mode : "sync";
    checkEvery = checkEvery != null ? checkEvery : 100;
    onNonfinite = onNonfinite != null ? onNonfinite : "stop";
  }

  public UpdateConfig(String mode, Integer checkEvery) {
    this(mode, checkEvery, null);
  }
}
