package dev.lockstep.config;

/** objective: the loss, by name (cross_entropy, mse). */
public record ObjectiveConfig(String type) {
  public ObjectiveConfig {
    type = type != null ? type : "cross_entropy";
  }
}
