package dev.lockstep.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** sgdStep and adamStep over several steps against plain float64 implementations of PyTorch's formulas. */
class CpuBackendOptimizerStepTest {
  private final long seed = TestSeed.fresh();
  private final SplittableRandom rng = new SplittableRandom(seed);
  private final CpuBackend be = CpuBackend.create(1);

  private Buf upload(float[] a) {
    Buf b = be.allocate(a.length + 3).view(3, a.length); // offset views, as layer slices are
    be.upload(a, 0, b);
    return b;
  }

  private float[] host(Buf b) {
    float[] a = new float[(int) b.length()];
    be.download(b, a, 0);
    return a;
  }

  @Test
  void sgdMatchesFloat64Reference() {
    float[][] settings = {{0f, 0f, 0f}, {0f, 0.01f, 0f}, {0.9f, 0f, 0f}, {0.9f, 0.05f, 0f}, {0.8f, 0.01f, 1f}};
    for (float[] s : settings) {
      float momentum = s[0];
      float wd = s[1];
      boolean nesterov = s[2] == 1f;
      int n = 1 + rng.nextInt(60);
      float[] w0 = TestSeed.uniform(rng, n, -1, 1);
      double[] w = toDouble(w0);
      double[] m = new double[n];
      Buf wb = upload(w0);
      Buf mb = momentum == 0f ? null : upload(new float[n]);
      for (int step = 0; step < 5; step++) {
        float lr = (float) rng.nextDouble(0.01, 0.5);
        float[] g = TestSeed.uniform(rng, n, -1, 1);
        be.sgdStep(wb, upload(g), mb, lr, momentum, nesterov, wd);
        for (int i = 0; i < n; i++) {
          double gi = g[i] + wd * w[i];
          m[i] = momentum * m[i] + gi;
          w[i] -= lr * (nesterov ? gi + momentum * m[i] : (momentum == 0f ? gi : m[i]));
        }
      }
      assertClose(host(wb), w, 1e-5, "seed=" + seed + " sgd momentum=" + momentum + " wd=" + wd + " nesterov=" + nesterov);
      if (mb != null) {
        assertClose(host(mb), m, 1e-5, "seed=" + seed + " sgd momentum buffer");
      }
    }
  }

  @Test
  void adamAndAdamWMatchFloat64Reference() {
    for (boolean decoupled : new boolean[] {false, true}) {
      for (float wd : new float[] {0f, 0.1f}) {
        int n = 1 + rng.nextInt(60);
        float beta1 = 0.9f;
        float beta2 = 0.999f;
        float eps = 1e-8f;
        float[] w0 = TestSeed.uniform(rng, n, -1, 1);
        double[] w = toDouble(w0);
        double[] m = new double[n];
        double[] v = new double[n];
        Buf wb = upload(w0);
        Buf mb = upload(new float[n]);
        Buf vb = upload(new float[n]);
        for (int t = 1; t <= 6; t++) {
          float lr = (float) rng.nextDouble(1e-3, 0.1);
          float[] g = TestSeed.uniform(rng, n, -1, 1);
          be.adamStep(wb, upload(g), mb, vb, lr, beta1, beta2, eps, wd, decoupled, t);
          for (int i = 0; i < n; i++) {
            if (decoupled) {
              w[i] *= 1 - (double) lr * wd;
            }
            double gi = g[i] + (decoupled ? 0 : wd * w[i]);
            m[i] = beta1 * m[i] + (1 - beta1) * gi;
            v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
            double mHat = m[i] / (1 - Math.pow(beta1, t));
            double vHat = v[i] / (1 - Math.pow(beta2, t));
            w[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
          }
        }
        String what = "seed=" + seed + " adam decoupled=" + decoupled + " wd=" + wd;
        assertClose(host(wb), w, 2e-5, what);
        assertClose(host(mb), m, 1e-5, what + " m");
        assertClose(host(vb), v, 1e-5, what + " v");
      }
    }
  }

  private static double[] toDouble(float[] a) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i];
    }
    return d;
  }

  private static void assertClose(float[] got, double[] ref, double tol, String what) {
    for (int i = 0; i < ref.length; i++) {
      assertThat((double) got[i]).as("%s at %d", what, i).isCloseTo(ref[i], within(tol * (1 + Math.abs(ref[i]))));
    }
  }
}
