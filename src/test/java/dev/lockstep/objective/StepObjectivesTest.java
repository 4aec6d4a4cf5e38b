package dev.lockstep.objective;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.lockstep.config.ObjectiveConfig;
import dev.lockstep.tensor.Buf;
import dev.lockstep.tensor.CpuBackend;
import dev.lockstep.tensor.ObjectiveKernels;
import dev.lockstep.tensor.ObjectiveKernels.Kind;
import dev.lockstep.tensor.TestSeed;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The step objective on the CPU backend (the host path every CPU run takes) against the host objectives called
 * directly, the device specs each configured objective hands to the kernels, and the device path's target checks
 * (they run on the host, so they are checked here against the host objectives' own errors).
 */
class StepObjectivesTest {
  private final long seed = TestSeed.fresh();
  private final SplittableRandom rng = new SplittableRandom(seed);

  @Test
  void theCpuBackendComputesEveryObjectiveOnTheHostExactlyAsTheObjectiveDoes() {
    try (CpuBackend be = CpuBackend.create(1)) {
      assertThat(be.objectiveKernels(8)).as("the CPU backend offers no device kernels").isNull();
      for (ObjectiveCases.Case c : ObjectiveCases.all(rng)) {
        String what = c.label() + " seed " + seed;
        int n = c.rows() * c.cols();
        StepObjective step = StepObjectives.create(c.objective(), be, c.rows() + 3, c.cols(),
            (o, t, r, k) -> ObjectiveCases.hostCorrect(c.hits(), o, t, r, k), t -> c.hits());
        assertThat(step.onDevice()).as(what).isFalse();
        Buf out = be.allocate(n + 7L);
        be.upload(c.output(), 0, out.view(0, n));
        Buf grad = be.allocate(n + 7L);
        float scale = 1f / (c.rows() * 2);
        step.compute(out, c.targets(), c.rows(), c.cols(), grad, scale);
        step.compute(out, c.targets(), c.rows(), c.cols(), grad, scale); // figures add up until taken
        double[] figures = step.take();

        float[] refGrad = new float[n];
        double refLoss = c.objective().lossAndGradient(c.output(), c.targets(), c.rows(), c.cols(), refGrad, scale);
        int refCorrect = ObjectiveCases.hostCorrect(c.hits(), c.output(), c.targets(), c.rows(), c.cols());
        float[] got = new float[n + 7];
        be.download(grad, got, 0);
        assertThat(java.util.Arrays.copyOf(got, n)).as(what).isEqualTo(refGrad);
        assertThat(figures[0]).as(what).isEqualTo(refLoss + refLoss);
        assertThat(figures[1]).as(what).isEqualTo(2.0 * refCorrect);
        assertThat(step.take()).as("taken figures are cleared: " + what).containsExactly(0.0, 0.0);
      }
    }
  }

  @Test
  void regularizationOnTheHostPathAddsRowsTimesRAndItsGradient() {
    try (CpuBackend be = CpuBackend.create(1)) {
      int length = 500;
      float[] w = TestSeed.uniform(rng, length, -1, 1);
      w[7] = 0f;
      float[] g = TestSeed.uniform(rng, length, -1, 1);
      Buf wb = be.allocate(length);
      Buf gb = be.allocate(length);
      be.upload(w, 0, wb);
      be.upload(g, 0, gb);
      Regularization reg = new Regularization(rng.nextDouble(0.001, 0.1), rng.nextDouble(0.001, 0.1));
      List<Regularization.Slice> slices = List.of(new Regularization.Slice(0, 200), new Regularization.Slice(300, 123));
      StepObjective step = StepObjectives.create(new MeanSquaredError(), be, 4, 2, (o, t, r, k) -> 0,
          t -> ObjectiveKernels.Hits.NONE);
      step.regularize(reg, slices, wb, gb, 64);
      double r = reg.addGradient(w, g, slices);
      float[] got = new float[length];
      be.download(gb, got, 0);
      assertThat(got).as("seed " + seed).isEqualTo(g);
      assertThat(step.take()[0]).isEqualTo(r * 64);

      step.regularize(new Regularization(0, 0), slices, wb, gb, 64);
      assertThat(step.take()[0]).as("no coefficient, no term").isZero();
    }
  }

  @Test
  void everyConfiguredObjectiveHandsItsSettingsToTheKernels() {
    assertThat(spec(ObjectiveConfig.of("cross_entropy"))).isEqualTo(ObjectiveKernels.Spec.of(Kind.CROSS_ENTROPY));
    ObjectiveKernels.Spec ce = spec(new ObjectiveConfig("cross_entropy", 0.1, List.of(1.0, 2.5, 0.5), null, null,
        null, null, null, null, null));
    assertThat(ce.kind()).isEqualTo(Kind.CROSS_ENTROPY);
    assertThat(ce.smoothing()).isEqualTo(0.1f);
    assertThat(ce.classWeights()).containsExactly(1f, 2.5f, 0.5f);
    assertThat(spec(ObjectiveConfig.of("binary_cross_entropy")).kind()).isEqualTo(Kind.BINARY_CROSS_ENTROPY);
    assertThat(spec(ObjectiveConfig.of("mse")).kind()).isEqualTo(Kind.MSE);
    assertThat(spec(ObjectiveConfig.of("mae")).kind()).isEqualTo(Kind.MAE);
    assertThat(spec(ObjectiveConfig.of("kl_divergence")).kind()).isEqualTo(Kind.KL_DIVERGENCE);
    ObjectiveKernels.Spec huber = spec(new ObjectiveConfig("huber", null, null, 0.25, null, null, null, null, null,
        null));
    assertThat(huber.kind()).isEqualTo(Kind.HUBER);
    assertThat(huber.delta()).isEqualTo(0.25f);
    assertThat(spec(ObjectiveConfig.of("hinge"))).isEqualTo(ObjectiveKernels.Spec.of(Kind.HINGE_CRAMMER_SINGER));
    ObjectiveKernels.Spec ovr = spec(new ObjectiveConfig("hinge", null, null, null, "one_vs_rest", true, null, null,
        null, null));
    assertThat(ovr.kind()).isEqualTo(Kind.HINGE_ONE_VS_REST);
    assertThat(ovr.squared()).isTrue();
    for (String name : Objectives.names()) {
      assertThat(Objectives.create(ObjectiveConfig.of(name)).deviceSpec()).as(name + " has a device kernel")
          .isNotNull();
    }
  }

  private static ObjectiveKernels.Spec spec(ObjectiveConfig cfg) {
    return Objectives.create(cfg).deviceSpec();
  }

  /** The device path checks targets on the host before the kernels trust them: same errors as the host code. */
  @Test
  void theDevicePathRejectsBadTargetsWithTheHostObjectivesMessages() {
    float[] out = new float[12];
    expectSameError(new CrossEntropy(), Targets.ofClasses(new int[] {0, 4, 1}), 3, 4, out);
    expectSameError(new CrossEntropy(), Targets.ofClasses(new int[] {0, -1, 1}), 3, 4, out);
    expectSameError(new CrossEntropy(), Targets.ofValues(new float[8], 4), 3, 4, out);
    expectSameError(new Hinge(true, false), Targets.ofValues(new float[12], 4), 3, 4, out);
    expectSameError(new Hinge(false, false), Targets.ofClasses(new int[] {0, 0, 0}), 3, 1, new float[3]);
    expectSameError(new BinaryCrossEntropy(), Targets.ofValues(new float[] {0, 1, 1.5f, 0}, 2), 2, 2, new float[4]);
    expectSameError(new BinaryCrossEntropy(), Targets.ofValues(new float[] {0, Float.NaN, 1, 0}, 2), 2, 2,
        new float[4]);
    expectSameError(new KlDivergence(), Targets.ofValues(new float[] {0.5f, 0.5f, -0.1f, 1.1f}, 2), 2, 2,
        new float[4]);
    expectSameError(new MeanSquaredError(), Targets.ofClasses(new int[] {0, 1}), 2, 2, new float[4]);
    expectSameError(new Huber(1), Targets.ofValues(new float[3], 1), 4, 1, new float[4]);

    assertThat(DeviceStepObjective.checkTargets(Kind.CROSS_ENTROPY, "cross_entropy",
        Targets.ofClasses(new int[] {3, 0}), 2, 4)).as("class ids").isTrue();
    assertThat(DeviceStepObjective.checkTargets(Kind.KL_DIVERGENCE, "kl_divergence",
        Targets.ofValues(new float[] {0, 1}, 2), 1, 2)).as("values").isFalse();
  }

  private static void expectSameError(Objective o, Targets t, int rows, int cols, float[] out) {
    Throwable host = catchThrowable(() -> o.lossAndGradient(out, t, rows, cols, new float[out.length], 1f));
    assertThat(host).as("the host objective rejects it").isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DeviceStepObjective.checkTargets(o.deviceSpec().kind(), o.name(), t, rows, cols))
        .isInstanceOf(IllegalArgumentException.class).hasMessage(host.getMessage());
  }
}
