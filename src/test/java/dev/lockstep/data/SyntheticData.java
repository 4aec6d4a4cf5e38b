package dev.lockstep.data;

import java.util.Random;

/** Small random datasets for batching tests; features are random so a row identifies its sample. */
final class SyntheticData {
  private SyntheticData() {}

  static Dataset random(int n, int width, int classes, Random random) {
    float[] x = new float[n * width]; // [n, width]
    for (int i = 0; i < x.length; i++) {
      x[i] = random.nextFloat();
    }
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = random.nextInt(classes);
    }
    return new Dataset("synthetic", x, y, width, classes);
  }
}
