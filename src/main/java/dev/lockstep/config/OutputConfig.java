package dev.lockstep.config;

/** output: progress line every log_every steps; test-set evaluation after each epoch. */
public record OutputConfig(Integer logEvery, Boolean evalEachEpoch) {
  public OutputConfig {
    logEvery = logEvery != null ? logEvery : 50;
    evalEachEpoch = evalEachEpoch != null ? evalEachEpoch : true;
  }
}
