package dev.lockstep.config;

/**
 * output: progress line every log_every steps; test-set evaluation after each epoch and, with eval_every_steps > 0,
 * also every that many steps within epochs (0 = epoch ends only); PNG charts of the curves at
 * the end (plots); a Chrome trace-event timeline of every rank's step phases (trace.json); snapshots every
 * save_every_steps steps and/or every save_every_epochs epochs (0 = never), keeping the newest keep_last (0 = all);
 * and one more when the run is interrupted (SIGINT/SIGTERM) unless snapshot_on_interrupt is false.
 */
public record OutputConfig(Integer logEvery, Boolean evalEachEpoch, Boolean plots, Boolean trace,
                           Long saveEverySteps, Integer saveEveryEpochs, Integer keepLast, Long evalEverySteps,
                           Boolean snapshotOnInterrupt) {
  public OutputConfig {
    logEvery = logEvery != null ? logEvery : 50;
    evalEachEpoch = evalEachEpoch != null ? evalEachEpoch : true;
    plots = plots != null ? plots : false;
    trace = trace != null ? trace : false;
    saveEverySteps = saveEverySteps != null ? saveEverySteps : 0L;
    saveEveryEpochs = saveEveryEpochs != null ? saveEveryEpochs : 0;
    keepLast = keepLast != null ? keepLast : 0;
    evalEverySteps = evalEverySteps != null ? evalEverySteps : 0L;
    snapshotOnInterrupt = snapshotOnInterrupt != null ? snapshotOnInterrupt : true;
  }

  public OutputConfig(Integer logEvery, Boolean evalEachEpoch, Boolean plots, Boolean trace, Long saveEverySteps,
                      Integer saveEveryEpochs, Integer keepLast, Long evalEverySteps) {
    this(logEvery, evalEachEpoch, plots, trace, saveEverySteps, saveEveryEpochs, keepLast, evalEverySteps, null);
  }

  /** Logging, evaluation, plots and trace only; no snapshots. */
  public OutputConfig(Integer logEvery, Boolean evalEachEpoch, Boolean plots, Boolean trace) {
    this(logEvery, evalEachEpoch, plots, trace, null, null, null, null);
  }

  /** Logging and evaluation only. */
  public OutputConfig(Integer logEvery, Boolean evalEachEpoch) {
    this(logEvery, evalEachEpoch, null, null, null, null, null, null);
  }
}
