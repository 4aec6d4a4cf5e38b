package dev.lockstep.config;

/**
 * output: progress line every log_every steps; test-set evaluation after each epoch; snapshots every
 * save_every_steps steps and/or every save_every_epochs epochs (0 = never), keeping the newest keep_last (0 = all).
 */
public record OutputConfig(Integer logEvery, Boolean evalEachEpoch, Long saveEverySteps, Integer saveEveryEpochs,
                           Integer keepLast) {
  public OutputConfig {
    logEvery = logEvery != null ? logEvery : 50;
    evalEachEpoch = evalEachEpoch != null ? evalEachEpoch : true;
    saveEverySteps = saveEverySteps != null ? saveEverySteps : 0L;
    saveEveryEpochs = saveEveryEpochs != null ? saveEveryEpochs : 0;
    keepLast = keepLast != null ? keepLast : 0;
  }

  /** The pre-snapshot form: logging and evaluation only, no snapshots. */
  public OutputConfig(Integer logEvery, Boolean evalEachEpoch) {
    this(logEvery, evalEachEpoch, null, null, null);
  }
}
