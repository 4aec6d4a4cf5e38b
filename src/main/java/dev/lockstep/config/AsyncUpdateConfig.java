package dev.lockstep.config;

/**
 * update.async: parameter_server (rank 0 serves master weights; a gradient more than max_staleness versions old is
 * dropped) or local_sgd (weights averaged when the fastest rank has taken period local steps, or every period_ms
 * milliseconds when > 0).
 */
public record AsyncUpdateConfig(String algorithm, Integer maxStaleness, Integer period, Integer periodMs) {
  public AsyncUpdateConfig {
    algorithm = algorithm != null ? algorithm : "local_sgd";
    maxStaleness = maxStaleness != null ? maxStaleness : 4;
    period = period != null ? period : 8;
    periodMs = periodMs != null ? periodMs : 0;
  }
}
