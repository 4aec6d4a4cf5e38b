package dev.lockstep.config;

import java.util.List;

/**
 * simulate: conditions injected on purpose, for tests and demonstrations: a failing rank ({@code fail}) and slowed
 * ranks ({@code slow_ranks}). Off by default.
 */
public record SimulateConfig(SimulateFailConfig fail, List<SlowRankConfig> slowRanks) {
  public SimulateConfig {
    fail = fail != null ? fail : new SimulateFailConfig(null, null, null);
    slowRanks = slowRanks != null ? List.copyOf(slowRanks) : List.of();
  }

  /** Only an injected failure. */
  public SimulateConfig(SimulateFailConfig fail) {
    this(fail, null);
  }
}
