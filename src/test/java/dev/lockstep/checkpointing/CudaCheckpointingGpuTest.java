package dev.lockstep.checkpointing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lockstep.nn.Model;
import dev.lockstep.nn.Parameters;
import dev.lockstep.tensor.Backend;
import dev.lockstep.tensor.Buf;
import dev.lockstep.tensor.CudaBackend;
import dev.lockstep.tensor.TestSeed;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The same plans on the CUDA backend (device machine only, {@code -Dgroups=gpu}): every k gives the gradients of
 * {@code segments: 0}. Bit-identity is printed, not required: cuBLAS may pick kernels by buffer alignment, and a
 * plan moves outputs within the arena.
 */
@Tag("gpu")
class CudaCheckpointingGpuTest {
  @Test
  void everyKGivesTheGradientsOfKeepingEverything() {
    CudaTrainingGpuTest.assumeGpu();
    long seed = TestSeed.fresh();
    SplittableRandom rng = new SplittableRandom(seed);
    Model model = SegmentPlannerTest.mlp(96, 128, 6, 10);
    int batch = 64;
    float[] x = TestSeed.uniform(rng, batch * 96, -1, 1);
    float[] dy = TestSeed.uniform(rng, batch * 10, -1, 1);
    try (Backend be = CudaBackend.create(0, false)) {
      float[] reference = gradients(model, SegmentPlanner.keepEverything(model), be, x, dy, batch, seed);
      double scale = 0;
      for (float g : reference) {
        scale = Math.max(scale, Math.abs(g));
      }
      int identical = 0, n = model.layers().size();
      for (int k = 1; k <= n; k++) {
        float[] g = gradients(model, SegmentPlanner.withSegments(model, k), be, x, dy, batch, seed);
        boolean same = true;
        for (int i = 0; i < g.length; i++) {
          assertThat((double) Math.abs(g[i] - reference[i])).as("seed=%d k=%d dparam[%d]", seed, k, i)
              .isLessThanOrEqualTo(1e-5 * scale);
          same &= Float.floatToRawIntBits(g[i]) == Float.floatToRawIntBits(reference[i]);
        }
        identical += same ? 1 : 0;
      }
      System.out.printf("[cuda checkpointing] %d of %d plans bit-identical to segments: 0 (seed %d)%n", identical, n,
          seed);
    }
  }

  private static float[] gradients(Model model, SegmentPlan plan, Backend be, float[] x, float[] dy, int batch,
                                   long seed) {
    Parameters p = new Parameters(model, be);
    p.initialize(seed);
    StepExecutor ex = new StepExecutor(model, p, be, batch, plan);
    Buf xb = be.allocate(x.length);
    be.upload(x, 0, xb);
    Buf dyb = be.allocate(dy.length);
    be.upload(dy, 0, dyb);
    p.zeroGrads();
    ex.forward(xb, batch);
    ex.backward(dyb, batch);
    be.synchronize();
    return p.downloadGrads();
  }
}
