package dev.lockstep.config;

/** simulate: failures injected on purpose, for tests and demonstrations of how a run ends. Off by default. */
public record SimulateConfig(SimulateFailConfig fail) {
  public SimulateConfig {
    fail = fail != null ? fail : new SimulateFailConfig(null, null, null);
  }
}
