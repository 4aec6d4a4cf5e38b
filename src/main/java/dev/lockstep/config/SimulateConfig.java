package dev.lockstep.config;

import java.util.List;

/** simulate: conditions injected on purpose, for tests and demonstrations. Off by default. */
public record SimulateConfig(List<SlowRankConfig> slowRanks) {
  public SimulateConfig {
    slowRanks = slowRanks != null ? List.copyOf(slowRanks) : List.of();
  }
}
