package dev.lockstep.config;

/** run: name of the run directory, seed, how long to train (epochs, or max_steps when > 0), where to write. */
public record RunConfig(String name, Long seed, Integer epochs, Long maxSteps, String outDir) {
  public RunConfig {
    name = name != null ? name : "run";
    seed = seed != null ? seed : 42L;
    epochs = epochs != null ? epochs : 1;
    maxSteps = maxSteps != null ? maxSteps : 0L;
    outDir = outDir != null ? outDir : "runs";
  }
}
