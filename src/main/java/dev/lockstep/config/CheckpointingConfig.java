package dev.lockstep.config;

/**
 * checkpointing: segments 0 (keep every activation), k (k segments of consecutive layers, recomputed in
 * backward), or auto (≈ √layers, or the smallest k that fits max_activation_mb). max_activation_mb: activation
 * memory per rank in MiB; 0 = no limit. Under auto it chooses k; otherwise a plan over it is an error.
 */
public record CheckpointingConfig(String segments, Double maxActivationMb) {
  public CheckpointingConfig {
    segments = segments != null ? segments : "0";
    maxActivationMb = maxActivationMb != null ? maxActivationMb : 0.0;
  }
}
