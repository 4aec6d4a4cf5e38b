package dev.lockstep.objective;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lockstep.nn.FiniteDifference;
import dev.lockstep.tensor.TestSeed;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Each objective's gradient against central differences of its own summed loss, for several shapes. */
class ObjectiveGradientTest {
  private final long seed = TestSeed.fresh();
  private final SplittableRandom rng = new SplittableRandom(seed);
  private static final int[][] SHAPES = {{1, 1}, {1, 2}, {3, 5}, {17, 9}};

  @Test
  void crossEntropyWithClassTargets() {
    for (int[] s : SHAPES) {
      int rows = s[0];
      int cols = s[1];
      int[] classes = new int[rows];
      for (int r = 0; r < rows; r++) {
        classes[r] = rng.nextInt(cols);
      }
      check(new CrossEntropy(), Targets.ofClasses(classes), rows, cols, 4);
    }
  }

  @Test
  void crossEntropyWithSoftTargets() {
    for (int[] s : SHAPES) {
      int rows = s[0];
      int cols = s[1];
      float[] t = TestSeed.uniform(rng, rows * cols, 0, 1); // any non-negative weights, not necessarily summing to 1
      check(new CrossEntropy(), Targets.ofValues(t, cols), rows, cols, 4);
    }
  }

  @Test
  void meanSquaredError() {
    for (int[] s : SHAPES) {
      int rows = s[0];
      int cols = s[1];
      check(new MeanSquaredError(), Targets.ofValues(TestSeed.uniform(rng, rows * cols, -2, 2), cols), rows, cols, 3);
    }
  }

  private void check(Objective objective, Targets targets, int rows, int cols, double spread) {
    String what = "seed=" + seed + " " + objective.name() + " " + rows + "x" + cols;
    float[] out = TestSeed.uniform(rng, rows * cols, -spread, spread);
    float gradScale = (float) rng.nextDouble(0.05, 2);
    float[] grad = new float[rows * cols];
    double loss = objective.lossAndGradient(out, targets, rows, cols, grad, gradScale);
    assertThat(loss).as(what + " loss() = lossAndGradient()").isEqualTo(objective.loss(out, targets, rows, cols));
    double[] fd = FiniteDifference.gradient(out, 1e-3, () -> objective.loss(out, targets, rows, cols));
    for (int i = 0; i < grad.length; i++) {
      double ref = gradScale * fd[i];
      assertThat((double) grad[i]).as("%s grad[%d]", what, i).isCloseTo(ref, within(1e-5 + 1e-5 * Math.abs(ref)));
    }
  }
}
