package dev.lockstep.config;

import java.util.List;

/** model: a sequential list of layers; the input width comes from the data. */
public record ModelConfig(List<LayerSpec> layers) {
  public ModelConfig {
    layers = layers != null ? List.copyOf(layers) : List.of();
  }
}
