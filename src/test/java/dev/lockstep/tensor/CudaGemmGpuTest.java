package dev.lockstep.tensor;

import static dev.lockstep.tensor.CudaTestSupport.assertClose;
import static dev.lockstep.tensor.CudaTestSupport.get;
import static dev.lockstep.tensor.CudaTestSupport.uniform;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * cuBLAS GEMM (row-major on column-major) against a float64 reference, all four transpose combinations, views
 * at odd offsets with guarded padding, FP32 and TF32. The error of element (i, j) is measured against
 * |α|·Σ_l |op(A)_il·op(B)_lj| + |β·C_ij|, the scale a k-term float sum's rounding error grows with: ≤ 1e-5 of
 * it in FP32, ≤ 2e-3 with TF32. TF32 keeps 10 mantissa bits; if the tensor cores truncate (rather than round)
 * the FP32 inputs, one product can be off by up to 2·2^-10 ≈ 1.95e-3 of |a·b| (k = 1 shows that worst case
 * undiluted), so 1e-3 would be a coin toss there. The largest scaled errors seen are printed for the
 * 1024×1024×784 case.
 */
@Tag("gpu")
class CudaGemmGpuTest {
  private static final double TOL_FP32 = 1e-5;
  private static final double TOL_TF32 = 2e-3;
  private static CudaBackend fp32;
  private static CudaBackend tf32;

  @BeforeAll
  static void open() {
    CudaTestSupport.assumeGpu();
    fp32 = CudaBackend.create(0, false);
    tf32 = CudaBackend.create(0, true);
    System.out.println("gemm tests on " + fp32.describe() + " and " + tf32.describe());
  }

  @AfterAll
  static void close() {
    if (fp32 != null) {
      fp32.close();
    }
    if (tf32 != null) {
      tf32.close();
    }
  }

  static Stream<Arguments> shapes() {
    int[][] mnk = {{17, 33, 9}, {1, 1, 1}, {5, 1, 300}, {64, 128, 1}, {130, 7, 1029}, {33, 65, 129}};
    Stream.Builder<Arguments> all = Stream.builder();
    for (int[] s : mnk) {
      for (boolean ta : new boolean[] {false, true}) {
        for (boolean tb : new boolean[] {false, true}) {
          all.add(Arguments.of(s[0], s[1], s[2], ta, tb));
        }
      }
    }
    return all.build();
  }

  @ParameterizedTest(name = "m={0} n={1} k={2} transA={3} transB={4}")
  @MethodSource("shapes")
  void matchesFloat64Reference(int m, int n, int k, boolean transA, boolean transB) {
    SplittableRandom rng = CudaTestSupport.freshRandom("gemm " + m + "x" + n + "x" + k + " " + transA + transB);
    Case c = new Case(rng, m, n, k, transA, transB, 0.75f, -0.5f);
    double e32 = c.check(fp32, TOL_FP32);
    double eTf = c.check(tf32, TOL_TF32);
    System.out.printf("gemm %dx%dx%d transA=%s transB=%s: max scaled error fp32 %.2e, tf32 %.2e%n", m, n, k,
        transA, transB, e32, eTf);
  }

  @Test
  void large1024x1024x784AllTransposes() {
    SplittableRandom rng = CudaTestSupport.freshRandom("gemm 1024x1024x784");
    for (boolean ta : new boolean[] {false, true}) {
      for (boolean tb : new boolean[] {false, true}) {
        Case c = new Case(rng, 1024, 1024, 784, ta, tb, 1f, 0f);
        double e32 = c.check(fp32, TOL_FP32);
        double eTf = c.check(tf32, TOL_TF32);
        System.out.printf("gemm 1024x1024x784 transA=%s transB=%s: max scaled error fp32 %.2e, tf32 %.2e%n",
            ta, tb, e32, eTf);
      }
    }
  }

  @Test
  void zeroInnerDimensionScalesC() {
    SplittableRandom rng = CudaTestSupport.freshRandom("gemm k=0");
    float[] cData = uniform(rng, 6 * 5, -1, 1);
    CudaBuf a = fp32.allocate(0);
    CudaBuf b = fp32.allocate(0);
    CudaBuf c = CudaTestSupport.put(fp32, cData);
    fp32.gemm(false, false, 6, 5, 0, 1f, a, b, 0.25f, c);
    float[] got = get(fp32, c);
    for (int i = 0; i < got.length; i++) {
      assertThat(got[i]).isEqualTo(0.25f * cData[i]);
    }
  }

  /** One product with fixed random inputs, checked on any backend. */
  private static final class Case {
    final int m, n, k;
    final boolean transA, transB;
    final float alpha, beta;
    final float[] a, b, c0; // a: [m,k] or [k,m] when transA; b: [k,n] or [n,k] when transB; c0: [m,n]
    final double[] ref, scale;

    Case(SplittableRandom rng, int m, int n, int k, boolean transA, boolean transB, float alpha, float beta) {
      this.m = m;
      this.n = n;
      this.k = k;
      this.transA = transA;
      this.transB = transB;
      this.alpha = alpha;
      this.beta = beta;
      a = uniform(rng, m * k, -1, 1);
      b = uniform(rng, k * n, -1, 1);
      c0 = uniform(rng, m * n, -1, 1);
      // opA: [m][k], opBt: [n][k] so that the inner loop is a contiguous dot product
      double[][] opA = new double[m][k];
      double[][] opBt = new double[n][k];
      for (int i = 0; i < m; i++) {
        for (int l = 0; l < k; l++) {
          opA[i][l] = transA ? a[l * m + i] : a[i * k + l];
        }
      }
      for (int j = 0; j < n; j++) {
        for (int l = 0; l < k; l++) {
          opBt[j][l] = transB ? b[j * k + l] : b[l * n + j];
        }
      }
      ref = new double[m * n];
      scale = new double[m * n];
      IntStream.range(0, m).parallel().forEach(i -> {
        for (int j = 0; j < n; j++) {
          double s = 0;
          double sAbs = 0;
          double[] ai = opA[i];
          double[] bj = opBt[j];
          for (int l = 0; l < k; l++) {
            double p = ai[l] * bj[l];
            s += p;
            sAbs += Math.abs(p);
          }
          ref[i * n + j] = alpha * s + beta * (double) c0[i * n + j];
          scale[i * n + j] = Math.abs(alpha) * sAbs + Math.abs(beta * (double) c0[i * n + j]);
        }
      });
    }

    /** Runs the product on views at odd offsets, asserts, returns the worst scaled error. */
    double check(CudaBackend be, double tol) {
      var ga = new CudaTestSupport.Guarded(be, a, 3, 5);
      var gb = new CudaTestSupport.Guarded(be, b, 7, 1);
      var gc = new CudaTestSupport.Guarded(be, c0, 1, 9);
      be.gemm(transA, transB, m, n, k, alpha, ga.view, gb.view, beta, gc.view);
      float[] got = get(be, gc.view);
      double worst = assertClose(String.format("%s gemm m=%d n=%d k=%d transA=%s transB=%s", be.describe(), m, n, k,
          transA, transB), got, ref, scale, tol);
      ga.assertPaddingIntact(be);
      gb.assertPaddingIntact(be);
      gc.assertPaddingIntact(be);
      return worst;
    }
  }
}
