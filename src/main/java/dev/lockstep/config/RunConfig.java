package dev.lockstep.config;

/**
 * run: name of the run directory, seed, how long to train (epochs, or max_steps when > 0), where to write, and how
 * often the launcher may restart a job whose rank failed (max_restarts; 0 = never; {@code train --max-restarts}
 * overrides it).
 */
public record RunConfig(String name, Long seed, Integer epochs, Long maxSteps, String outDir, Integer maxRestarts) {
  public RunConfig {
    name = name != null ? name : "run";
    seed = seed != null ? seed : 42L;
    epochs = epochs != null ? epochs : 1;
    maxSteps = maxSteps != null ? maxSteps : 0L;
    outDir = outDir != null ? outDir : "runs";
    maxRestarts = maxRestarts != null ? maxRestarts : 0;
  }

  public RunConfig(String name, Long seed, Integer epochs, Long maxSteps, String outDir) {
    this(name, seed, epochs, maxSteps, outDir, null);
  }
}
