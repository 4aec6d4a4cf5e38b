package dev.lockstep.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.lockstep.tensor.Buf;
import dev.lockstep.tensor.CpuBackend;
import dev.lockstep.tensor.TestSeed;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Linear forward against a float64 reference; dW, db, dx against central differences of L = Σ R ⊙ y (R random),
 * evaluated in double from the float forward. L is linear in W, b and x, so a large step is exact.
 */
class LinearTest {
  private final long seed = TestSeed.fresh();
  private final SplittableRandom rng = new SplittableRandom(seed);
  private final CpuBackend be = CpuBackend.create(1);
  private static final int[][] SHAPES = {{3, 5, 7}, {1, 1, 1}, {17, 33, 9}}; // batch, in, out

  @Test
  void forwardMatchesFloat64() {
    for (int[] s : SHAPES) {
      Fixture f = new Fixture(s[0], s[1], s[2]);
      float[] y = f.forward();
      for (int r = 0; r < f.batch; r++) {
        for (int o = 0; o < f.out; o++) {
          double ref = f.params[f.out * f.in + o];
          for (int i = 0; i < f.in; i++) {
            ref += (double) f.x[r * f.in + i] * f.params[o * f.in + i];
          }
          assertThat((double) y[r * f.out + o]).as("seed=%d shape=%s y[%d,%d]", seed, java.util.Arrays.toString(s), r, o)
              .isCloseTo(ref, within(1e-5 * (1 + Math.abs(ref))));
        }
      }
    }
  }

  @Test
  void backwardMatchesFiniteDifferencesAndAccumulates() {
    for (int[] s : SHAPES) {
      Fixture f = new Fixture(s[0], s[1], s[2]);
      String what = "seed=" + seed + " shape=" + java.util.Arrays.toString(s);
      float[] before = TestSeed.uniform(rng, f.params.length, -1, 1); // backward must add to what is there
      be.upload(before, 0, f.gradBuf);
      float[] dx = f.backward();
      float[] grads = new float[f.params.length];
      be.download(f.gradBuf, grads, 0);

      double[] fdParams = FiniteDifference.gradient(f.params, 0.5, f::loss);
      for (int j = 0; j < grads.length; j++) {
        String name = j < f.out * f.in ? "dW[" + j / f.in + "," + j % f.in + "]" : "db[" + (j - f.out * f.in) + "]";
        assertThat((double) grads[j] - before[j]).as("%s %s", what, name)
            .isCloseTo(fdParams[j], within(1e-4 * (1 + Math.abs(fdParams[j]))));
      }
      double[] fdX = FiniteDifference.gradient(f.x, 0.5, f::loss);
      for (int j = 0; j < dx.length; j++) {
        assertThat((double) dx[j]).as("%s dx[%d]", what, j).isCloseTo(fdX[j], within(1e-4 * (1 + Math.abs(fdX[j]))));
      }
    }
  }

  @Test
  void firstLayerBackwardSkipsDxAndUnboundUseIsAClearError() {
    Fixture f = new Fixture(2, 3, 4);
    Buf dy = be.allocate(8);
    f.layer.backward(be, f.xBuf, f.yBuf, dy, null, 2); // no dx wanted: must not fail
    Linear unbound = new Linear(3, 4, Init.HE);
    assertThatThrownBy(() -> unbound.forward(be, f.xBuf, f.yBuf, 2))
        .hasMessageContaining("linear(3→4) used before Parameters bound it");
  }

  /** One Linear bound to standalone buffers, with host copies of its inputs. */
  private final class Fixture {
    final int batch;
    final int in;
    final int out;
    final Linear layer;
    final float[] params; // [W: out×in | b: out]
    final float[] x; // [batch, in]
    final float[] r; // [batch, out] loss weights
    final Buf paramBuf;
    final Buf gradBuf;
    final Buf xBuf;
    final Buf yBuf;

    Fixture(int batch, int in, int out) {
      this.batch = batch;
      this.in = in;
      this.out = out;
      layer = new Linear(in, out, Init.XAVIER);
      params = TestSeed.uniform(rng, layer.parameterCount(), -1, 1);
      x = TestSeed.uniform(rng, batch * in, -1, 1);
      r = TestSeed.uniform(rng, batch * out, -1, 1);
      paramBuf = be.allocate(params.length + 5).view(5, params.length);
      gradBuf = be.allocate(params.length + 2).view(1, params.length);
      xBuf = be.allocate(x.length);
      yBuf = be.allocate(batch * out);
      layer.bind(paramBuf, gradBuf);
    }

    float[] forward() {
      be.upload(params, 0, paramBuf);
      be.upload(x, 0, xBuf);
      layer.forward(be, xBuf, yBuf, batch);
      float[] y = new float[batch * out];
      be.download(yBuf, y, 0);
      return y;
    }

    double loss() {
      float[] y = forward();
      double l = 0;
      for (int i = 0; i < y.length; i++) {
        l += (double) r[i] * y[i];
      }
      return l;
    }

    /** dy = R (dL/dy); returns dx. */
    float[] backward() {
      forward();
      Buf dy = be.allocate(r.length);
      be.upload(r, 0, dy);
      Buf dx = be.allocate(x.length);
      layer.backward(be, xBuf, yBuf, dy, dx, batch);
      float[] host = new float[x.length];
      be.download(dx, host, 0);
      return host;
    }
  }
}
