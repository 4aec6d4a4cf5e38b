package dev.lockstep.config;

/** update: how gradients become updates across ranks (sync today), and how often replicas compare checksums. */
public record UpdateConfig(String mode, Integer checkEvery) {
  public UpdateConfig {
    mode = mode != null ? mode : "sync";
    checkEvery = checkEvery != null ? checkEvery : 100;
  }
}
