package dev.lockstep.objective;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.lockstep.tensor.TestSeed;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The objectives added for issue 3 against their textbook float64 formulas (computed the naive way: the stable
 * code must agree where the naive one is still exact), and the stable ones at |logit| = 100.
 */
class ObjectiveReferenceTest {
  private final long seed = TestSeed.fresh();
  private final SplittableRandom rng = new SplittableRandom(seed);

  @Test
  void crossEntropyWithSmoothingAndWeightsIsPytorchsSumReduction() {
    int rows = 6, cols = 4;
    float[] out = TestSeed.uniform(rng, rows * cols, -3, 3);
    float[] w = TestSeed.uniform(rng, cols, 0.2, 2);
    double eps = 0.1;
    int[] y = new int[rows];
    double ref = 0;
    for (int r = 0; r < rows; r++) {
      y[r] = rng.nextInt(cols);
      double z = 0;
      for (int c = 0; c < cols; c++) {
        z += Math.exp(out[r * cols + c]);
      }
      // torch: (1−ε)·w_y·(−log p_y) + ε/C·Σ_c w_c·(−log p_c)
      ref += (1 - eps) * w[y[r]] * -Math.log(Math.exp(out[r * cols + y[r]]) / z);
      for (int c = 0; c < cols; c++) {
        ref += eps / cols * w[c] * -Math.log(Math.exp(out[r * cols + c]) / z);
      }
    }
    assertThat(new CrossEntropy(eps, w).loss(out, Targets.ofClasses(y), rows, cols)).as("seed=%d", seed)
        .isCloseTo(ref, within(1e-9 * ref));
  }

  @Test
  void binaryCrossEntropyMatchesTheLogFormula() {
    int n = 40;
    float[] out = TestSeed.uniform(rng, n, -5, 5);
    float[] t = TestSeed.uniform(rng, n, 0, 1);
    double ref = 0;
    for (int i = 0; i < n; i++) {
      double p = 1 / (1 + Math.exp(-out[i]));
      ref += -(t[i] * Math.log(p) + (1.0 - t[i]) * Math.log(1 - p));
    }
    assertThat(new BinaryCrossEntropy().loss(out, Targets.ofValues(t, 5), 8, 5)).as("seed=%d", seed)
        .isCloseTo(ref, within(1e-9 * ref));
  }

  @Test
  void maeAndHuberByHand() {
    float[] out = {0f, 3f, -1f, 0.5f};
    float[] t = {1f, 0f, -1f, 0f};
    float[] grad = new float[4];
    assertThat(new MeanAbsoluteError().lossAndGradient(out, Targets.ofValues(t, 2), 2, 2, grad, 0.5f))
        .isEqualTo(1 + 3 + 0 + 0.5);
    assertThat(grad).containsExactly(-0.5f, 0.5f, 0f, 0.5f);
    // huber δ = 1: d = −1 (edge: ½), 3 (linear: 3 − ½), 0, 0.5 (quadratic: ⅛)
    assertThat(new Huber(1.0).lossAndGradient(out, Targets.ofValues(t, 2), 2, 2, grad, 1f))
        .isEqualTo(0.5 + 2.5 + 0 + 0.125);
    assertThat(grad).containsExactly(-1f, 1f, 0f, 0.5f);
  }

  @Test
  void hingeByHand() {
    float[] out = {2f, 1.5f, -1f, /* row 2 */ 0f, 3f, 0.5f};
    int[] y = {0, 1};
    float[] grad = new float[6];
    // Crammer–Singer: row 1 m = 1 + 1.5 − 2 = 0.5; row 2 m = 1 + 0.5 − 3 < 0
    assertThat(new Hinge(true, false).lossAndGradient(out, Targets.ofClasses(y), 2, 3, grad, 1f)).isEqualTo(0.5);
    assertThat(grad).containsExactly(-1f, 1f, 0f, 0f, 0f, 0f);
    assertThat(new Hinge(true, true).loss(out, Targets.ofClasses(y), 2, 3)).isEqualTo(0.25);
    // one-vs-rest: row 1: max(0, 1−2) + max(0, 1+1.5) + max(0, 1−1) = 2.5; row 2: 1 + 0 + 1.5 = 2.5
    assertThat(new Hinge(false, false).lossAndGradient(out, Targets.ofClasses(y), 2, 3, grad, 1f)).isEqualTo(5.0);
    assertThat(grad).containsExactly(0f, 1f, 0f, 1f, 0f, 1f);
    assertThat(new Hinge(false, true).loss(out, Targets.ofClasses(y), 2, 3)).isEqualTo(6.25 + 1 + 2.25);
    assertThatThrownBy(() -> new Hinge(true, false).loss(new float[2], Targets.ofValues(new float[2], 1), 2, 1))
        .hasMessageContaining("hinge needs class targets");
  }

  @Test
  void klDivergenceIsCrossEntropyMinusTargetEntropy() {
    int rows = 5, cols = 7;
    float[] out = TestSeed.uniform(rng, rows * cols, -3, 3);
    float[] t = TestSeed.uniform(rng, rows * cols, 0, 1);
    double entropy = 0;
    for (int r = 0; r < rows; r++) {
      double sum = 0;
      for (int c = 0; c < cols; c++) {
        sum += t[r * cols + c];
      }
      for (int c = 0; c < cols; c++) {
        t[r * cols + c] /= (float) sum;
        entropy -= t[r * cols + c] * Math.log(t[r * cols + c]);
      }
    }
    Targets targets = Targets.ofValues(t, cols);
    double ce = new CrossEntropy().loss(out, targets, rows, cols);
    assertThat(new KlDivergence().loss(out, targets, rows, cols)).as("seed=%d", seed)
        .isCloseTo(ce - entropy, within(1e-6));
    // perfect fit: logits = log t gives 0
    float[] logT = new float[t.length];
    for (int i = 0; i < t.length; i++) {
      logT[i] = (float) Math.log(t[i]);
    }
    assertThat(new KlDivergence().loss(logT, targets, rows, cols)).isCloseTo(0, within(1e-5));
  }

  @Test
  void stableObjectivesStayFiniteAtLogitsOfHundred() {
    int rows = 9, cols = 4;
    float[] out = new float[rows * cols];
    for (int i = 0; i < out.length; i++) {
      out[i] = rng.nextBoolean() ? 100f : -100f;
    }
    int[] y = new int[rows];
    float[] oneHot = new float[rows * cols];
    float[] soft = TestSeed.uniform(rng, rows * cols, 0, 1);
    for (int r = 0; r < rows; r++) {
      y[r] = rng.nextInt(cols);
      oneHot[r * cols + y[r]] = 1f;
    }
    Objective[] objectives = {new CrossEntropy(), new CrossEntropy(0.2, new float[] {1, 2, 3, 0.5f}),
        new BinaryCrossEntropy(), new KlDivergence(), new Hinge(true, true), new Hinge(false, true)};
    for (Objective o : objectives) {
      for (Targets t : new Targets[] {Targets.ofClasses(y), Targets.ofValues(oneHot, cols),
          Targets.ofValues(soft, cols)}) {
        boolean classIds = t.classes() != null;
        if (classIds == (o instanceof BinaryCrossEntropy || o instanceof KlDivergence)) {
          continue; // each objective with the targets it accepts
        }
        if (o instanceof Hinge && !classIds) {
          continue;
        }
        float[] grad = new float[rows * cols];
        double loss = o.lossAndGradient(out, t, rows, cols, grad, 1f / rows);
        assertThat(Double.isFinite(loss)).as("%s loss %s", o.name(), loss).isTrue();
        for (float g : grad) {
          assertThat(Float.isFinite(g)).as("%s gradient", o.name()).isTrue();
        }
      }
    }
    // BCE at ±100: a confident right answer costs ~e^-100, a confident wrong one 100.
    float[] two = {100f, -100f};
    assertThat(new BinaryCrossEntropy().loss(two, Targets.ofValues(new float[] {1f, 0f}, 2), 1, 2))
        .isCloseTo(0, within(1e-40));
    assertThat(new BinaryCrossEntropy().loss(two, Targets.ofValues(new float[] {0f, 1f}, 2), 1, 2))
        .isCloseTo(200, within(1e-9));
  }

  @Test
  void regularizationGradientMatchesFiniteDifferences() {
    int n = 50 + rng.nextInt(30);
    float[] w = TestSeed.uniform(rng, n, -2, 2);
    for (int i = 0; i < n; i++) {
      if (Math.abs(w[i]) < 0.05) {
        w[i] += 0.1f; // away from |w|'s kink
      }
    }
    java.util.List<Regularization.Slice> slices = java.util.List.of(new Regularization.Slice(3, 20),
        new Regularization.Slice(30, n - 35));
    Regularization reg = new Regularization(rng.nextDouble(0.01, 1), rng.nextDouble(0.01, 1));
    float[] before = TestSeed.uniform(rng, n, -1, 1);
    float[] grad = before.clone();
    double value = reg.addGradient(w, grad, slices);
    assertThat(value).isEqualTo(reg.value(w, slices));
    double[] fd = dev.lockstep.nn.FiniteDifference.gradient(w, 1e-3, () -> reg.value(w, slices));
    for (int i = 0; i < n; i++) {
      boolean inside = (i >= 3 && i < 23) || (i >= 30 && i < n - 5);
      assertThat((double) grad[i] - before[i]).as("seed=%d w[%d] (regularised: %s)", seed, i, inside)
          .isCloseTo(inside ? fd[i] : 0.0, within(1e-4 + 1e-5 * Math.abs(fd[i])));
    }
    assertThat(new Regularization(0, 0).active()).isFalse();
    assertThat(new Regularization(0.5, 0).value(new float[] {1, -2, 3}, java.util.List.of(
        new Regularization.Slice(0, 2)))).isEqualTo(0.5 * 5);
    assertThat(new Regularization(0, 0.5).value(new float[] {1, -2, 3}, java.util.List.of(
        new Regularization.Slice(1, 2)))).isEqualTo(0.5 * 5);
  }
}
