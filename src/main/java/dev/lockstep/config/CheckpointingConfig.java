package dev.lockstep.config;

/** checkpointing: segments 0 (keep every activation), k, or auto. */
public record CheckpointingConfig(String segments) {
  public CheckpointingConfig {
    segments = segments != null ? segments : "0";
  }
}
