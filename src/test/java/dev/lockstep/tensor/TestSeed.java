package dev.lockstep.tensor;

import java.util.SplittableRandom;

/**
 * Fresh random inputs for every test run, reproducible on failure: each test prints its seed in assertion
 * descriptions; rerun with {@code -Dlockstep.test.seed=<seed>} to get the same inputs.
 */
public final class TestSeed {
  private TestSeed() {}

  public static long fresh() {
    String fixed = System.getProperty("lockstep.test.seed");
    return fixed != null ? Long.parseLong(fixed) : new SplittableRandom().nextLong();
  }

  /** Uniform floats in [lo, hi). */
  public static float[] uniform(SplittableRandom rng, int n, double lo, double hi) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) rng.nextDouble(lo, hi);
    }
    return a;
  }
}
