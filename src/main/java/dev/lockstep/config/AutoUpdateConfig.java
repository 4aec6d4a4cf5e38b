package dev.lockstep.config;

/**
 * update.auto: switch from sync to update.async.algorithm when the slowest rank's typical (median) compute time per
 * step exceeds straggler_ratio × the median rank's over window_steps steps; back to sync after a window under
 * recover_ratio.
 */
public record AutoUpdateConfig(Double stragglerRatio, Integer windowSteps, Double recoverRatio) {
  public AutoUpdateConfig {
    stragglerRatio = stragglerRatio != null ? stragglerRatio : 1.5;
    windowSteps = windowSteps != null ? windowSteps : 10;
    recoverRatio = recoverRatio != null ? recoverRatio : 1.15;
  }
}
