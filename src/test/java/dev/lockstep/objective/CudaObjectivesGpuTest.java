package dev.lockstep.objective;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lockstep.tensor.Buf;
import dev.lockstep.tensor.CudaBackend;
import dev.lockstep.tensor.ObjectiveKernels;
import dev.lockstep.tensor.TestSeed;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The fused objective kernels ({@link DeviceStepObjective} on {@link CudaBackend}) against the host objectives
 * on fresh random inputs: every objective and setting, odd shapes, one column, rows wider than a warp. Gradient
 * elements within 1e-5 relative (a floor of 1e-6 of the largest element, where both sides round a tiny value),
 * loss sums within 1e-5 relative, correct counts exact; outputs are read at an offset view to catch stray writes.
 */
@Tag("gpu")
class CudaObjectivesGpuTest {
  private static final double TOL = 1e-5;
  private static CudaBackend be;
  private final long seed = TestSeed.fresh();
  private final SplittableRandom rng = new SplittableRandom(seed);

  @BeforeAll
  static void open() {
    String reason = CudaBackend.unavailableReason().orElse(null);
    if (reason != null && Boolean.getBoolean("lockstep.requireGpu")) {
      fail("lockstep.requireGpu is set but " + reason);
    }
    assumeTrue(reason == null, () -> reason + " (GPU tests skipped)");
    be = CudaBackend.create(0, false);
  }

  @AfterAll
  static void close() {
    if (be != null) {
      be.close();
    }
  }

  @Test
  void everyObjectiveKernelMatchesTheHostObjective() {
    double worstGrad = 0, worstLoss = 0;
    for (ObjectiveCases.Case c : ObjectiveCases.all(rng)) {
      String what = c.label() + " seed " + seed;
      int n = c.rows() * c.cols();
      StepObjective step = StepObjectives.create(c.objective(), be, c.rows() + 5, c.cols(),
          (o, t, r, k) -> fail("host path taken"), t -> c.hits());
      assertThat(step.onDevice()).as(what).isTrue();
      Buf outWhole = be.allocate(n + 16L);
      Buf out = outWhole.view(5, n);
      be.upload(c.output(), 0, out);
      Buf gradWhole = be.allocate(n + 16L);
      be.fill(gradWhole, 12345f);
      Buf grad = gradWhole.view(3, n);
      float scale = (float) (1.0 / (c.rows() * (1 + rng.nextInt(4))));
      step.compute(out, c.targets(), c.rows(), c.cols(), grad, scale);
      double[] figures = step.take();

      float[] refGrad = new float[n];
      double refLoss = c.objective().lossAndGradient(c.output(), c.targets(), c.rows(), c.cols(), refGrad, scale);
      int refCorrect = ObjectiveCases.hostCorrect(c.hits(), c.output(), c.targets(), c.rows(), c.cols());
      float[] all = new float[n + 16];
      be.download(gradWhole, all, 0);
      assertThat(all[2]).as("before the view: " + what).isEqualTo(12345f);
      assertThat(all[3 + n]).as("after the view: " + what).isEqualTo(12345f);
      double largest = 0;
      for (float v : refGrad) {
        largest = Math.max(largest, Math.abs(v));
      }
      for (int i = 0; i < n; i++) {
        double err = Math.abs(all[3 + i] - refGrad[i]);
        double bound = TOL * Math.max(Math.abs(refGrad[i]), 1e-6 * largest);
        if (!(err <= bound)) {
          fail(String.format("%s: gradient element %d is %s, host %s (error %.3g > %.3g)", what, i, all[3 + i],
              refGrad[i], err, bound));
        }
        worstGrad = Math.max(worstGrad, err / Math.max(Math.abs(refGrad[i]), 1e-6 * largest));
      }
      double lossErr = Math.abs(figures[0] - refLoss) / Math.max(Math.abs(refLoss), 1e-12);
      assertThat(lossErr).as("loss %s vs host %s: %s", figures[0], refLoss, what).isLessThanOrEqualTo(TOL);
      worstLoss = Math.max(worstLoss, lossErr);
      assertThat(figures[1]).as("correct rows: " + what).isEqualTo(refCorrect);
    }
    System.out.printf("objective kernels: max scaled error gradient %.3g, loss %.3g%n", worstGrad, worstLoss);
  }

  @Test
  void figuresAccumulateOverStepsUntilTakenAndRepeatExactly() {
    ObjectiveCases.Case c = ObjectiveCases.all(rng).get(1); // cross-entropy with smoothing and weights
    int n = c.rows() * c.cols();
    StepObjective step = StepObjectives.create(c.objective(), be, c.rows(), c.cols(), (o, t, r, k) -> 0,
        t -> c.hits());
    Buf out = be.allocate(n);
    Buf grad = be.allocate(n);
    be.upload(c.output(), 0, out);
    step.compute(out, c.targets(), c.rows(), c.cols(), grad, 1f);
    double[] once = step.take();
    for (int i = 0; i < 3; i++) {
      step.compute(out, c.targets(), c.rows(), c.cols(), grad, 1f);
    }
    double[] thrice = step.take();
    assertThat(thrice[1]).isEqualTo(3 * once[1]);
    assertThat(thrice[0]).isCloseTo(3 * once[0], org.assertj.core.data.Offset.offset(1e-9 * Math.abs(once[0])));
    step.compute(out, c.targets(), c.rows(), c.cols(), grad, 1f);
    assertThat(step.take()).as("deterministic: the same sum bit for bit").containsExactly(once);
  }

  @Test
  void regularizationKernelMatchesTheHostTerm() {
    int length = 70_001;
    float[] w = TestSeed.uniform(rng, length, -1, 1);
    w[11] = 0f;
    float[] g = TestSeed.uniform(rng, length, -1, 1);
    Buf wb = be.allocate(length);
    Buf gb = be.allocate(length);
    be.upload(w, 0, wb);
    be.upload(g, 0, gb);
    Regularization reg = new Regularization(rng.nextDouble(0.001, 0.1), rng.nextDouble(0.001, 0.1));
    List<Regularization.Slice> slices = List.of(new Regularization.Slice(0, 65_536),
        new Regularization.Slice(65_600, 4_321));
    StepObjective step = StepObjectives.create(new MeanSquaredError(), be, 4, 2, (o, t, r, k) -> 0,
        t -> ObjectiveKernels.Hits.NONE);
    step.regularize(reg, slices, wb, gb, 96);
    double r = reg.addGradient(w, g, slices);
    float[] got = new float[length];
    be.download(gb, got, 0);
    for (int i = 0; i < length; i++) {
      assertThat((double) got[i]).as("gradient %d, seed %d", i, seed)
          .isCloseTo(g[i], org.assertj.core.data.Offset.offset(TOL * Math.max(1, Math.abs(g[i]))));
    }
    double loss = step.take()[0];
    assertThat(Math.abs(loss - 96 * r) / (96 * r)).as("R·rows %s vs host %s", loss, 96 * r).isLessThan(TOL);
  }
}
