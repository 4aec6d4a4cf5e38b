package dev.lockstep.objective;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.lockstep.config.ObjectiveConfig;
import dev.lockstep.tensor.TestSeed;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Loss values against textbook float64 formulas, extreme logits, targets checks, accuracy, the factory. */
class ObjectiveValueTest {
  private final long seed = TestSeed.fresh();
  private final SplittableRandom rng = new SplittableRandom(seed);

  @Test
  void crossEntropyValueMatchesLogSoftmaxInDouble() {
    int rows = 7;
    int cols = 5;
    float[] out = TestSeed.uniform(rng, rows * cols, -3, 3);
    int[] classes = new int[rows];
    double ref = 0;
    for (int r = 0; r < rows; r++) {
      classes[r] = rng.nextInt(cols);
      double z = 0;
      for (int c = 0; c < cols; c++) {
        z += Math.exp(out[r * cols + c]);
      }
      ref += -Math.log(Math.exp(out[r * cols + classes[r]]) / z);
    }
    assertThat(new CrossEntropy().loss(out, Targets.ofClasses(classes), rows, cols)).as("seed=%d", seed)
        .isCloseTo(ref, within(1e-9 * ref));
  }

  @Test
  void crossEntropyStaysFiniteAtLogitsOfHundred() {
    float[] out = {100f, -100f, 0f, 100f, /* row 2 */ -100f, -100f, -100f, -100f};
    int[] classes = {1, 3};
    float[] grad = new float[8];
    double loss = new CrossEntropy().lossAndGradient(out, Targets.ofClasses(classes), 2, 4, grad, 0.5f);
    // row 1: logsumexp = 100 + ln 2 (two logits of 100), loss = 200 + ln 2; row 2: uniform, loss = ln 4
    assertThat(loss).isCloseTo(200 + Math.log(2) + Math.log(4), within(1e-9));
    for (float g : grad) {
      assertThat(Float.isFinite(g)).isTrue();
    }
    // softmax of the middle logit is e^-100/2 ≈ 2e-44: subnormal, not zero
    assertThat(grad).containsExactly(new float[] {0.25f, -0.5f, 0f, 0.25f, 0.125f, 0.125f, 0.125f, -0.375f},
        within(1e-30f));
  }

  @Test
  void meanSquaredErrorSumsColumnsAndRows() {
    float[] out = {1f, 2f, 3f, 4f};
    float[] t = {0f, 2f, 5f, 4f};
    float[] grad = new float[4];
    double loss = new MeanSquaredError().lossAndGradient(out, Targets.ofValues(t, 2), 2, 2, grad, 0.5f);
    assertThat(loss).isEqualTo(1 + 0 + 4 + 0);
    assertThat(grad).containsExactly(1f, 0f, -2f, 0f); // 2·(o − t)·0.5
  }

  @Test
  void badTargetsAreClearErrors() {
    float[] out = new float[6];
    assertThatThrownBy(() -> new CrossEntropy().loss(out, Targets.ofClasses(new int[] {0, 3}), 2, 3))
        .hasMessage("cross_entropy: target class 3 at row 1 is outside [0, 3)");
    assertThatThrownBy(() -> new MeanSquaredError().loss(out, Targets.ofClasses(new int[] {0, 1}), 2, 3))
        .hasMessage("mse needs value targets of width 3; make class labels one-hot with OneHot.of(classes, 3)");
    assertThatThrownBy(() -> new MeanSquaredError().loss(out, Targets.ofValues(new float[6], 2), 2, 3))
        .hasMessageContaining("targets of width 2");
  }

  @Test
  void oneHotFeedsMse() {
    Targets t = OneHot.of(new int[] {2, 0}, 3);
    assertThat(t.values()).containsExactly(0, 0, 1, 1, 0, 0);
    assertThat(t.width()).isEqualTo(3);
    float[] out = {0, 0, 1, 1, 0, 0};
    assertThat(new MeanSquaredError().loss(out, t, 2, 3)).isZero();
    assertThatThrownBy(() -> OneHot.of(new int[] {3}, 3)).hasMessage("one-hot: class 3 at row 0 is outside [0, 3)");
  }

  @Test
  void accuracyCountsArgmaxHits() {
    float[] out = {0.1f, 0.7f, 0.2f, /* */ 0.5f, 0.5f, 0f, /* */ -1f, -2f, -0.5f};
    assertThat(Accuracy.correct(out, new int[] {1, 0, 2}, 3, 3)).isEqualTo(3); // tie goes to the lowest index
    assertThat(Accuracy.correct(out, new int[] {1, 1, 0}, 3, 3)).isEqualTo(1);
    assertThat(Accuracy.correct(out, OneHot.of(new int[] {1, 0, 0}, 3), 3, 3)).isEqualTo(2);
  }

  @Test
  void factoryByName() {
    assertThat(Objectives.create(ObjectiveConfig.of(null))).isInstanceOf(CrossEntropy.class);
    assertThat(Objectives.create(ObjectiveConfig.of("mse")).name()).isEqualTo("mse");
    assertThat(Objectives.create(ObjectiveConfig.of("hinge")))
        .isInstanceOf(Hinge.class);
    assertThatThrownBy(() -> Objectives.create(ObjectiveConfig.of("softmax")))
        .hasMessage("objective.type: unknown objective 'softmax' (expected binary_cross_entropy, cross_entropy, "
            + "hinge, huber, kl_divergence, mae, mse)");
  }
}
