package dev.lockstep.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Every elementwise op and reduction of the CPU backend against a plain float64 reference, on offset views. */
class CpuBackendElementwiseTest {
  private final long seed = TestSeed.fresh();
  private final SplittableRandom rng = new SplittableRandom(seed);
  private final CpuBackend be = CpuBackend.create(1);
  private static final int[] LENGTHS = {1, 7, 33 * 17};

  /** A view of {@code values} placed at a random offset inside a larger buffer. */
  private Buf onView(float[] values) {
    int off = 1 + rng.nextInt(5);
    Buf parent = be.allocate(off + values.length + 2);
    Buf view = parent.view(off, values.length);
    be.upload(values, 0, view);
    return view;
  }

  private float[] host(Buf b) {
    float[] a = new float[(int) b.length()];
    be.download(b, a, 0);
    return a;
  }

  private String tag(String op, int n) {
    return "seed=" + seed + " " + op + " n=" + n;
  }

  @Test
  void uploadDownloadRespectOffsetsAndViewsShareMemory() {
    float[] src = TestSeed.uniform(rng, 20, -1, 1);
    Buf parent = be.allocate(12);
    be.upload(src, 5, parent.view(2, 10)); // parent[2..12) = src[5..15)
    float[] back = new float[14];
    be.download(parent, back, 2);
    assertThat(back[0]).isZero();
    assertThat(back[2]).isZero();
    assertThat(back[3]).isZero();
    for (int i = 0; i < 10; i++) {
      assertThat(back[4 + i]).as(tag("upload", i)).isEqualTo(src[5 + i]);
    }
    Buf nested = parent.view(3, 6).view(2, 3); // parent[5..8)
    be.fill(nested, 7f);
    float[] all = host(parent);
    assertThat(all).containsExactly(0, 0, src[5], src[6], src[7], 7, 7, 7, src[11], src[12], src[13], src[14]);
  }

  @Test
  void outOfRangeViewsAndCopiesAreClearErrors() {
    Buf b = be.allocate(10);
    assertThatThrownBy(() -> b.view(8, 3)).hasMessageContaining("view [8, 11) outside a buffer of 10 floats");
    assertThatThrownBy(() -> be.upload(new float[5], 0, b)).hasMessageContaining("upload of 10 floats");
    assertThatThrownBy(() -> be.copy(b, be.allocate(9))).hasMessageContaining("copy: lengths differ (10 vs 9)");
  }

  @Test
  void allocateIsZeroedAndFillCopyWork() {
    for (int n : LENGTHS) {
      Buf a = be.allocate(n);
      assertThat(host(a)).as(tag("allocate", n)).containsOnly(0f);
      float v = (float) rng.nextDouble(-3, 3);
      Buf b = onView(new float[n]);
      be.fill(b, v);
      assertThat(host(b)).as(tag("fill", n)).containsOnly(v);
      float[] x = TestSeed.uniform(rng, n, -1, 1);
      be.copy(onView(x), a);
      assertThat(host(a)).as(tag("copy", n)).containsExactly(x);
    }
  }

  @Test
  void addRowVectorAndSumRows() {
    int[][] shapes = {{1, 1}, {3, 5}, {17, 33}};
    for (int[] s : shapes) {
      int rows = s[0];
      int cols = s[1];
      float[] y = TestSeed.uniform(rng, rows * cols, -1, 1);
      float[] bias = TestSeed.uniform(rng, cols, -1, 1);
      Buf yb = onView(y);
      be.addRowVector(yb, onView(bias), rows, cols);
      float[] got = host(yb);
      for (int i = 0; i < rows * cols; i++) {
        assertThat(got[i]).as(tag("addRowVector", i)).isEqualTo(y[i] + bias[i % cols]);
      }

      float beta = rng.nextBoolean() ? 0f : (float) rng.nextDouble(-2, 2);
      float[] out = TestSeed.uniform(rng, cols, -1, 1);
      Buf ob = onView(out);
      be.sumRows(onView(y), ob, rows, cols, beta);
      float[] sums = host(ob);
      for (int c = 0; c < cols; c++) {
        double ref = (double) beta * out[c];
        for (int r = 0; r < rows; r++) {
          ref += y[r * cols + c];
        }
        assertThat((double) sums[c]).as(tag("sumRows", c)).isCloseTo(ref, org.assertj.core.api.Assertions.within(
            1e-6 * (1 + Math.abs(ref))));
      }
    }
  }

  @Test
  void activationsMatchFloat64References() {
    for (Activation f : Activation.values()) {
      for (int n : LENGTHS) {
        float[] x = TestSeed.uniform(rng, n, -6, 6);
        x[0] = rng.nextBoolean() ? 40f : -40f; // saturated ends stay finite and exact
        Buf xb = onView(x);
        Buf yb = onView(new float[n]);
        be.activation(f, xb, yb);
        float[] y = host(yb);
        for (int i = 0; i < n; i++) {
          double ref = Reference.forward(f, x[i]);
          assertThat((double) y[i]).as(tag(f + " forward x=" + x[i], i))
              .isCloseTo(ref, org.assertj.core.api.Assertions.within(2e-7 * (1 + Math.abs(ref))));
        }
        float[] dy = TestSeed.uniform(rng, n, -1, 1);
        Buf dxb = onView(new float[n]);
        be.activationBackward(f, xb, yb, onView(dy), dxb);
        float[] dx = host(dxb);
        for (int i = 0; i < n; i++) {
          double ref = dy[i] * Reference.derivative(f, x[i]);
          assertThat((double) dx[i]).as(tag(f + " backward x=" + x[i], i))
              .isCloseTo(ref, org.assertj.core.api.Assertions.within(1e-6 * (1 + Math.abs(ref))));
        }
      }
    }
  }

  @Test
  void activationsWorkInPlace() {
    for (Activation f : Activation.values()) {
      int n = 33;
      float[] x = TestSeed.uniform(rng, n, -3, 3);
      Buf xb = onView(x);
      Buf yb = onView(new float[n]);
      be.activation(f, xb, yb);
      Buf inPlace = onView(x);
      be.activation(f, inPlace, inPlace);
      assertThat(host(inPlace)).as(tag(f + " in place", n)).containsExactly(host(yb));

      float[] dy = TestSeed.uniform(rng, n, -1, 1);
      Buf dxb = onView(new float[n]);
      be.activationBackward(f, xb, yb, onView(dy), dxb);
      Buf dyInPlace = onView(dy);
      be.activationBackward(f, xb, yb, dyInPlace, dyInPlace);
      assertThat(host(dyInPlace)).as(tag(f + " backward in place", n)).containsExactly(host(dxb));
    }
  }

  @Test
  void axpyScaleSumOfSquares() {
    for (int n : LENGTHS) {
      float[] x = TestSeed.uniform(rng, n, -2, 2);
      float[] y = TestSeed.uniform(rng, n, -2, 2);
      float alpha = (float) rng.nextDouble(-2, 2);
      Buf yb = onView(y);
      be.axpy(alpha, onView(x), yb);
      float[] got = host(yb);
      for (int i = 0; i < n; i++) {
        double ref = y[i] + (double) alpha * x[i];
        assertThat((double) got[i]).as(tag("axpy", i))
            .isCloseTo(ref, org.assertj.core.api.Assertions.within(1.2e-7 * (Math.abs(y[i]) + Math.abs(alpha * x[i]))));
      }
      Buf xb = onView(x);
      be.scale(xb, alpha);
      float[] scaled = host(xb);
      for (int i = 0; i < n; i++) {
        assertThat(scaled[i]).as(tag("scale", i)).isEqualTo(x[i] * alpha);
      }
      double ref = 0;
      for (float v : x) {
        ref += (double) v * v;
      }
      assertThat(be.sumOfSquares(onView(x))).as(tag("sumOfSquares", n))
          .isCloseTo(ref, org.assertj.core.api.Assertions.within(1e-12 * (1 + ref)));
    }
  }

  @Test
  void allFiniteFindsNaNAndInfinityAnywhere() {
    for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
      int n = 1 + rng.nextInt(100);
      float[] x = TestSeed.uniform(rng, n, -1e30, 1e30);
      assertThat(be.allFinite(onView(x))).as(tag("allFinite clean", n)).isTrue();
      int at = rng.nextInt(n);
      x[at] = bad;
      Buf b = onView(x);
      assertThat(be.allFinite(b)).as(tag("allFinite " + bad + " at " + at, n)).isFalse();
      assertThat(be.allFinite(b.view(0, at))).as(tag("allFinite before the bad value", at)).isTrue();
    }
  }

  /** The textbook formulas, in double. */
  static final class Reference {
    private static final double C = Math.sqrt(2 / Math.PI);

    static double forward(Activation f, double x) {
      return switch (f) {
        case RELU -> Math.max(0, x);
        case TANH -> Math.tanh(x);
        case SIGMOID -> 1 / (1 + Math.exp(-x));
        case GELU -> 0.5 * x * (1 + Math.tanh(C * (x + 0.044715 * x * x * x)));
      };
    }

    static double derivative(Activation f, double x) {
      return switch (f) {
        case RELU -> x > 0 ? 1 : 0;
        case TANH -> 1 - Math.tanh(x) * Math.tanh(x);
        case SIGMOID -> forward(f, x) * (1 - forward(f, x));
        case GELU -> {
          double u = C * (x + 0.044715 * x * x * x);
          double t = Math.tanh(u);
          yield 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * C * (1 + 3 * 0.044715 * x * x);
        }
      };
    }
  }
}
