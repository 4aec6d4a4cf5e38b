package dev.lockstep.config;

/**
 * output: progress line every log_every steps; test-set evaluation after each epoch; PNG charts of the curves at
 * the end (plots); a Chrome trace-event timeline of every rank's step phases (trace.json).
 */
public record OutputConfig(Integer logEvery, Boolean evalEachEpoch, Boolean plots, Boolean trace) {
  public OutputConfig {
    logEvery = logEvery != null ? logEvery : 50;
    evalEachEpoch = evalEachEpoch != null ? evalEachEpoch : true;
    plots = plots != null ? plots : false;
    trace = trace != null ? trace : false;
  }
}
