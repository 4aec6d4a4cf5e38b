package dev.lockstep.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.lockstep.config.OptimizerConfig;
import dev.lockstep.tensor.Buf;
import dev.lockstep.tensor.CpuBackend;
import dev.lockstep.tensor.TestSeed;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The factory, step counting, and that state + step count are all a resumed optimizer needs. */
class OptimizersTest {
  private final long seed = TestSeed.fresh();
  private final SplittableRandom rng = new SplittableRandom(seed);
  private final CpuBackend be = CpuBackend.create(1);

  private static OptimizerConfig cfg(String type, double momentum, boolean nesterov, double wd) {
    return new OptimizerConfig(type, 0.1, momentum, nesterov, wd, null, null, null, null);
  }

  @Test
  void factoryBuildsEachTypeWithItsState() {
    Optimizer sgd = Optimizers.create(cfg("sgd", 0.9, true, 0), be, 11);
    assertThat(sgd.name()).isEqualTo("sgd");
    assertThat(sgd.stateBuffers()).hasSize(1).allSatisfy(b -> assertThat(b.length()).isEqualTo(11));
    assertThat(Optimizers.create(cfg("sgd", 0, false, 0), be, 11).stateBuffers()).isEmpty();
    Optimizer adam = Optimizers.create(cfg("adam", 0, false, 0.01), be, 11);
    assertThat(adam.name()).isEqualTo("adam");
    assertThat(adam.stateBuffers()).hasSize(2);
    assertThat(Optimizers.create(cfg("AdamW", 0, false, 0.01), be, 11).name()).isEqualTo("adamw");
    assertThatThrownBy(() -> Optimizers.create(cfg("lamb", 0, false, 0), be, 11))
        .hasMessage("optimizer.type: unknown optimizer 'lamb' (expected sgd, adam, adamw)");
    assertThatThrownBy(() -> Optimizers.create(cfg("sgd", 0, true, 0), be, 11))
        .hasMessage("optimizer.nesterov: needs momentum > 0");
  }

  @Test
  void adamThroughTheOptimizerMatchesFloat64AndCountsSteps() {
    int n = 1 + rng.nextInt(40);
    Optimizer adam = Optimizers.create(cfg("adamw", 0, false, 0.05), be, n);
    float[] w0 = TestSeed.uniform(rng, n, -1, 1);
    Buf w = upload(w0);
    double[] ref = new double[n];
    double[] m = new double[n];
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      ref[i] = w0[i];
    }
    for (int t = 1; t <= 4; t++) {
      float[] g = TestSeed.uniform(rng, n, -1, 1);
      adam.step(be, w, upload(g), 0.01f);
      assertThat(adam.stepCount()).isEqualTo(t);
      for (int i = 0; i < n; i++) {
        ref[i] *= 1 - 0.01 * 0.05;
        m[i] = 0.9 * m[i] + 0.1 * g[i];
        v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
        ref[i] -= 0.01 * (m[i] / (1 - Math.pow(0.9, t))) / (Math.sqrt(v[i] / (1 - Math.pow(0.999, t))) + 1e-8);
      }
    }
    float[] got = download(w);
    for (int i = 0; i < n; i++) {
      assertThat((double) got[i]).as("seed=%d w[%d]", seed, i).isCloseTo(ref[i], within(1e-5));
    }
  }

  @Test
  void resumingFromStateAndStepCountIsBitIdentical() {
    for (String type : List.of("sgd", "adam", "adamw")) {
      int n = 1 + rng.nextInt(40);
      OptimizerConfig c = cfg(type, 0.9, type.equals("sgd"), 0.01);
      Optimizer first = Optimizers.create(c, be, n);
      Buf w = upload(TestSeed.uniform(rng, n, -1, 1));
      for (int t = 0; t < 3; t++) {
        first.step(be, w, upload(TestSeed.uniform(rng, n, -1, 1)), 0.05f);
      }
      // "snapshot": weights, state buffers, step count; restore into a fresh optimizer
      Optimizer resumed = Optimizers.create(c, be, n);
      for (int i = 0; i < first.stateBuffers().size(); i++) {
        be.copy(first.stateBuffers().get(i), resumed.stateBuffers().get(i));
      }
      resumed.setStepCount(first.stepCount());
      Buf w2 = be.allocate(n);
      be.copy(w, w2);
      Buf g = upload(TestSeed.uniform(rng, n, -1, 1));
      first.step(be, w, g, 0.05f);
      resumed.step(be, w2, g, 0.05f);
      assertThat(download(w2)).as("seed=%d %s", seed, type).containsExactly(download(w));
      assertThat(resumed.stepCount()).isEqualTo(4);
    }
  }

  private Buf upload(float[] a) {
    Buf b = be.allocate(a.length);
    be.upload(a, 0, b);
    return b;
  }

  private float[] download(Buf b) {
    float[] a = new float[(int) b.length()];
    be.download(b, a, 0);
    return a;
  }
}
