package dev.lockstep.config;

/**
 * data.synthetic: a seeded teacher-network task (format synthetic) — inputs x ~ N(0, 1)^features, a random
 * two-layer tanh network gives {@code outputs} scores z per sample, and the task turns them into targets:
 * classification (argmax of z + noise), regression (z + noise), multilabel (z + noise > 0 per column) or
 * distribution (softmax(z + noise), soft targets for kl_divergence). Same seed, same data on every machine.
 */
public record SyntheticConfig(
    String task,
    Integer trainSamples,
    Integer testSamples,
    Integer features,
    Integer outputs,
    Integer hidden,
    Double noise,
    Long seed) {
  public SyntheticConfig {
    task = task != null ? task : "classification";
    trainSamples = trainSamples != null ? trainSamples : 4096;
    testSamples = testSamples != null ? testSamples : 1024;
    features = features != null ? features : 16;
    outputs = outputs != null ? outputs : 4;
    hidden = hidden != null ? hidden : 32;
    noise = noise != null ? noise : 0.1;
    seed = seed != null ? seed : 1L;
  }

  public static SyntheticConfig defaults() {
    return new SyntheticConfig(null, null, null, null, null, null, null, null);
  }
}
