package dev.lockstep.config;

/**
 * update: how gradients become updates across ranks (sync | async | auto), how often replicas compare checksums
 * (sync phases), what a non-finite (NaN/Inf) loss or averaged gradient does (stop the run, the default, or skip
 * that step's update), the async algorithm's settings and auto's straggler policy, and how many micro-batches each
 * step accumulates before its update (gradient accumulation; 1 = none).
 */
public record UpdateConfig(String mode, Integer checkEvery, String onNonfinite, AsyncUpdateConfig async,
                           AutoUpdateConfig auto, Integer accumulateSteps) {
  public UpdateConfig {
    accumulateSteps = accumulateSteps != null ? accumulateSteps : 1;
    mode = mode != null ? mode : "sync";
    checkEvery = checkEvery != null ? checkEvery : 100;
    onNonfinite = onNonfinite != null ? onNonfinite : "stop";
    async = async != null ? async : new AsyncUpdateConfig(null, null, null, null);
    auto = auto != null ? auto : new AutoUpdateConfig(null, null, null);
  }

  /** Without gradient accumulation (accumulate_steps 1). */
  public UpdateConfig(String mode, Integer checkEvery, String onNonfinite, AsyncUpdateConfig async,
                      AutoUpdateConfig auto) {
    this(mode, checkEvery, onNonfinite, async, auto, null);
  }

  /** The synchronous-only form. */
  public UpdateConfig(String mode, Integer checkEvery) {
    this(mode, checkEvery, null, null, null);
  }

  /** Sync settings with the non-finite policy. */
  public UpdateConfig(String mode, Integer checkEvery, String onNonfinite) {
    this(mode, checkEvery, onNonfinite, null, null);
  }

  /** With async and auto settings (non-finite policy at its default). */
  public UpdateConfig(String mode, Integer checkEvery, AsyncUpdateConfig async, AutoUpdateConfig auto) {
    this(mode, checkEvery, null, async, auto);
  }
}
