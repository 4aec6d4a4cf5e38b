package dev.lockstep.data;

import dev.lockstep.config.SyntheticConfig;
import java.util.SplittableRandom;

/**
 * A seeded teacher-network task (format synthetic): x ~ N(0, 1)^features; a random teacher
 * z = W2·tanh(W1·x + b1), with W1 [hidden, features] ~ N(0, 1/features), b1 ~ N(0, 0.25), W2 [outputs, hidden]
 * ~ N(0, 9/hidden) (scores of a few units, so classes are separable but not trivially); then per task:
 * classification: class argmax(z + noise·ε); regression: z + noise·ε; multilabel: 1 where z + noise·ε > 0;
 * distribution: softmax(z + noise·ε). ε ~ N(0, 1) fresh per sample and output. One seed gives the same teacher
 * and samples everywhere; the test samples come from their own stream.
 */
final class SyntheticTask {
  private SyntheticTask() {}

  static TrainTest generate(SyntheticConfig c) {
    SplittableRandom root = new SplittableRandom(c.seed());
    Teacher teacher = new Teacher(c.features(), c.hidden(), c.outputs(), root.split());
    return new TrainTest(split("train", c, teacher, c.trainSamples(), root.split()),
        split("test", c, teacher, c.testSamples(), root.split()));
  }

  private static Dataset split(String name, SyntheticConfig c, Teacher teacher, int n, SplittableRandom rng) {
    int f = c.features(), k = c.outputs();
    float[] x = new float[n * f]; // [n, features]
    float[] y = new float[n * k]; // [n, outputs]
    int[] labels = new int[n];
    double[] z = new double[k];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < f; j++) {
        x[i * f + j] = (float) gaussian(rng);
      }
      teacher.scores(x, i * f, z);
      for (int o = 0; o < k; o++) {
        z[o] += c.noise() * gaussian(rng);
      }
      switch (c.task()) {
        case "classification" -> labels[i] = argmax(z);
        case "regression" -> copy(z, y, i * k);
        case "multilabel" -> {
          for (int o = 0; o < k; o++) {
            y[i * k + o] = z[o] > 0 ? 1f : 0f;
          }
        }
        case "distribution" -> softmax(z, y, i * k);
        default -> throw new DataException("data.synthetic.task: unknown task '" + c.task()
            + "' (expected classification, regression, multilabel or distribution)");
      }
    }
    if (c.task().equals("classification")) {
      return new Dataset(name, x, labels, f, k);
    }
    return Dataset.ofValues(name, x, y, f, k);
  }

  /** The fixed random network that labels the samples. */
  private static final class Teacher {
    final int in, hidden, out;
    final double[] w1; // [hidden, in]
    final double[] b1; // [hidden]
    final double[] w2; // [out, hidden]
    final double[] h; // [hidden] scratch

    Teacher(int in, int hidden, int out, SplittableRandom rng) {
      this.in = in;
      this.hidden = hidden;
      this.out = out;
      this.w1 = new double[hidden * in];
      this.b1 = new double[hidden];
      this.w2 = new double[out * hidden];
      this.h = new double[hidden];
      for (int i = 0; i < w1.length; i++) {
        w1[i] = gaussian(rng) / Math.sqrt(in);
      }
      for (int i = 0; i < hidden; i++) {
        b1[i] = 0.5 * gaussian(rng);
      }
      for (int i = 0; i < w2.length; i++) {
        w2[i] = 3 * gaussian(rng) / Math.sqrt(hidden);
      }
    }

    void scores(float[] x, int offset, double[] z) {
      for (int j = 0; j < hidden; j++) {
        double a = b1[j];
        for (int i = 0; i < in; i++) {
          a += w1[j * in + i] * x[offset + i];
        }
        h[j] = Math.tanh(a);
      }
      for (int o = 0; o < out; o++) {
        double a = 0;
        for (int j = 0; j < hidden; j++) {
          a += w2[o * hidden + j] * h[j];
        }
        z[o] = a;
      }
    }
  }

  /** Standard normal by Box–Muller from the given stream (SplittableRandom has no nextGaussian in Java 17). */
  private static double gaussian(SplittableRandom rng) {
    double u = 1.0 - rng.nextDouble(); // (0, 1]
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextDouble());
  }

  private static int argmax(double[] z) {
    int best = 0;
    for (int i = 1; i < z.length; i++) {
      if (z[i] > z[best]) {
        best = i;
      }
    }
    return best;
  }

  private static void copy(double[] z, float[] y, int offset) {
    for (int o = 0; o < z.length; o++) {
      y[offset + o] = (float) z[o];
    }
  }

  private static void softmax(double[] z, float[] y, int offset) {
    double max = z[argmax(z)], sum = 0;
    for (double v : z) {
      sum += Math.exp(v - max);
    }
    for (int o = 0; o < z.length; o++) {
      y[offset + o] = (float) (Math.exp(z[o] - max) / sum);
    }
  }
}
