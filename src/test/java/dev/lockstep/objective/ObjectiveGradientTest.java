package dev.lockstep.objective;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lockstep.nn.FiniteDifference;
import dev.lockstep.tensor.TestSeed;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Each objective's gradient against central differences of its own summed loss, for random shapes (odd ones
 * included). The non-smooth objectives (mae, huber, hinge) get inputs drawn at least 0.05 from their kinks, so
 * the ±1e-3 differences never straddle one.
 */
class ObjectiveGradientTest {
  private final long seed = TestSeed.fresh();
  private final SplittableRandom rng = new SplittableRandom(seed);
  private static final double KINK_GAP = 0.05;

  /** Fixed corner cases plus random shapes. */
  private int[][] shapes() {
    return new int[][] {{1, 1}, {1, 2}, {3, 5}, {17, 9}, {1 + rng.nextInt(12), 1 + rng.nextInt(12)},
        {1 + rng.nextInt(12), 2 + rng.nextInt(11)}};
  }

  @Test
  void crossEntropyWithClassTargets() {
    for (int[] s : shapes()) {
      check(new CrossEntropy(), Targets.ofClasses(classes(s[0], s[1])), s[0], s[1], 4);
    }
  }

  @Test
  void crossEntropyWithSoftTargets() {
    for (int[] s : shapes()) {
      float[] t = TestSeed.uniform(rng, s[0] * s[1], 0, 1); // any non-negative weights, not necessarily summing to 1
      check(new CrossEntropy(), Targets.ofValues(t, s[1]), s[0], s[1], 4);
    }
  }

  @Test
  void crossEntropyWithLabelSmoothingAndClassWeights() {
    for (int[] s : shapes()) {
      double eps = rng.nextDouble(0, 0.5);
      float[] w = TestSeed.uniform(rng, s[1], 0.1, 3);
      check(new CrossEntropy(eps, w), Targets.ofClasses(classes(s[0], s[1])), s[0], s[1], 4);
      check(new CrossEntropy(eps, w), Targets.ofValues(TestSeed.uniform(rng, s[0] * s[1], 0, 1), s[1]), s[0], s[1],
          4);
    }
  }

  @Test
  void binaryCrossEntropyMultiLabel() {
    for (int[] s : shapes()) {
      float[] t = new float[s[0] * s[1]];
      for (int i = 0; i < t.length; i++) {
        t[i] = rng.nextBoolean() ? 1f : (rng.nextBoolean() ? 0f : (float) rng.nextDouble()); // hard and soft labels
      }
      check(new BinaryCrossEntropy(), Targets.ofValues(t, s[1]), s[0], s[1], 6);
    }
  }

  @Test
  void meanSquaredError() {
    for (int[] s : shapes()) {
      check(new MeanSquaredError(), Targets.ofValues(TestSeed.uniform(rng, s[0] * s[1], -2, 2), s[1]), s[0], s[1], 3);
    }
  }

  @Test
  void meanAbsoluteError() {
    for (int[] s : shapes()) {
      float[] out = TestSeed.uniform(rng, s[0] * s[1], -3, 3);
      float[] t = new float[out.length];
      for (int i = 0; i < t.length; i++) {
        t[i] = out[i] - (float) (sign() * rng.nextDouble(KINK_GAP, 2)); // |o − t| away from the kink at 0
      }
      check(new MeanAbsoluteError(), Targets.ofValues(t, s[1]), s[0], s[1], out);
    }
  }

  @Test
  void huberOnBothSidesOfDelta() {
    for (int[] s : shapes()) {
      double delta = rng.nextDouble(0.3, 2);
      float[] out = TestSeed.uniform(rng, s[0] * s[1], -3, 3);
      float[] t = new float[out.length];
      for (int i = 0; i < t.length; i++) {
        double d = rng.nextBoolean() ? rng.nextDouble(0, delta - KINK_GAP) : rng.nextDouble(delta + KINK_GAP, 3 * delta);
        t[i] = out[i] - (float) (sign() * d);
      }
      check(new Huber(delta), Targets.ofValues(t, s[1]), s[0], s[1], out);
    }
  }

  @Test
  void hingeCrammerSingerAndOneVsRestPlainAndSquared() {
    for (boolean crammerSinger : new boolean[] {true, false}) {
      for (boolean squared : new boolean[] {false, true}) {
        for (int[] s : shapes()) {
          int cols = Math.max(2, s[1]);
          int[] y = classes(s[0], cols);
          float[] out = new float[s[0] * cols];
          for (int r = 0; r < s[0]; r++) {
            do { // redraw the row until no margin and no runner-up tie sits at a kink
              for (int c = 0; c < cols; c++) {
                out[r * cols + c] = (float) rng.nextDouble(-2, 2);
              }
            } while (nearHingeKink(out, r * cols, cols, y[r], crammerSinger));
          }
          check(new Hinge(crammerSinger, squared), Targets.ofClasses(y), s[0], cols, out);
        }
      }
    }
  }

  @Test
  void klDivergenceAgainstDistributions() {
    for (int[] s : shapes()) {
      float[] t = TestSeed.uniform(rng, s[0] * s[1], 0, 1);
      for (int r = 0; r < s[0]; r++) {
        double sum = 0;
        for (int c = 0; c < s[1]; c++) {
          sum += t[r * s[1] + c];
        }
        for (int c = 0; c < s[1]; c++) {
          t[r * s[1] + c] = c == 0 && s[1] > 1 ? 0f : (float) (t[r * s[1] + c] / sum); // a zero entry: 0·log 0
        }
      }
      check(new KlDivergence(), Targets.ofValues(t, s[1]), s[0], s[1], 4);
    }
  }

  private boolean nearHingeKink(float[] o, int base, int cols, int y, boolean crammerSinger) {
    if (!crammerSinger) {
      for (int c = 0; c < cols; c++) {
        if (Math.abs(1 - (c == y ? 1 : -1) * o[base + c]) < KINK_GAP) {
          return true;
        }
      }
      return false;
    }
    double best = Double.NEGATIVE_INFINITY, second = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < cols; c++) {
      if (c != y) {
        double v = o[base + c];
        if (v > best) {
          second = best;
          best = v;
        } else if (v > second) {
          second = v;
        }
      }
    }
    return Math.abs(1 + best - o[base + y]) < KINK_GAP || best - second < KINK_GAP;
  }

  private int[] classes(int rows, int cols) {
    int[] classes = new int[rows];
    for (int r = 0; r < rows; r++) {
      classes[r] = rng.nextInt(cols);
    }
    return classes;
  }

  private double sign() {
    return rng.nextBoolean() ? 1 : -1;
  }

  private void check(Objective objective, Targets targets, int rows, int cols, double spread) {
    check(objective, targets, rows, cols, TestSeed.uniform(rng, rows * cols, -spread, spread));
  }

  private void check(Objective objective, Targets targets, int rows, int cols, float[] out) {
    String what = "seed=" + seed + " " + objective.name() + " " + rows + "x" + cols;
    float gradScale = (float) rng.nextDouble(0.05, 2);
    float[] grad = new float[rows * cols];
    java.util.Arrays.fill(grad, Float.NaN); // every entry must be written, zeros included
    double loss = objective.lossAndGradient(out, targets, rows, cols, grad, gradScale);
    assertThat(loss).as(what + " loss() = lossAndGradient()").isEqualTo(objective.loss(out, targets, rows, cols));
    double[] fd = FiniteDifference.gradient(out, 1e-3, () -> objective.loss(out, targets, rows, cols));
    for (int i = 0; i < grad.length; i++) {
      double ref = gradScale * fd[i];
      assertThat((double) grad[i]).as("%s grad[%d]", what, i).isCloseTo(ref, within(2e-5 + 1e-5 * Math.abs(ref)));
    }
  }
}
