package dev.lockstep.config;

/**
 * update: how gradients become updates across ranks (sync | async | auto), how often replicas compare checksums
 * (sync phases), the async algorithm's settings and auto's straggler policy.
 */
public record UpdateConfig(String mode, Integer checkEvery, AsyncUpdateConfig async, AutoUpdateConfig auto) {
  public UpdateConfig {
    mode = mode != null ? mode : "sync";
    checkEvery = checkEvery != null ? checkEvery : 100;
    async = async != null ? async : new AsyncUpdateConfig(null, null, null, null);
    auto = auto != null ? auto : new AutoUpdateConfig(null, null, null);
  }

  /** The synchronous-only form: async and auto settings at their defaults. */
  public UpdateConfig(String mode, Integer checkEvery) {
    this(mode, checkEvery, null, null);
  }
}
