package dev.lockstep.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** GEMM, all transpose combinations, on views at non-zero offsets, against a float64 reference. */
class CpuBackendGemmTest {
  private final long seed = TestSeed.fresh();
  private final SplittableRandom rng = new SplittableRandom(seed);
  private final CpuBackend be = CpuBackend.create(1);

  private static final int[][] SHAPES = {{3, 5, 7}, {1, 1, 1}, {17, 33, 9}, {2, 1, 5}, {65, 130, 97}};

  @Test
  void allTransposeCombinationsOnOffsetViewsMatchFloat64() {
    for (int[] s : SHAPES) {
      for (boolean ta : new boolean[] {false, true}) {
        for (boolean tb : new boolean[] {false, true}) {
          check(ta, tb, s[0], s[1], s[2]);
        }
      }
    }
  }

  /** Under MPJ multicore every rank is a thread with its own backend, all calling one OpenBLAS at once. */
  @Test
  void concurrentGemmsFromSeveralRankThreadsAreCorrect() throws Exception {
    int m = 48;
    int n = 64;
    int k = 80;
    int ranks = 3;
    java.util.List<java.util.concurrent.Callable<Float>> work = new java.util.ArrayList<>();
    for (int r = 0; r < ranks; r++) {
      long rankSeed = rng.nextLong();
      work.add(() -> {
        CpuBackend own = CpuBackend.create(1);
        SplittableRandom local = new SplittableRandom(rankSeed);
        float[] a = TestSeed.uniform(local, m * k, -1, 1);
        float[] b = TestSeed.uniform(local, k * n, -1, 1);
        Buf ab = own.allocate(a.length);
        Buf bb = own.allocate(b.length);
        Buf cb = own.allocate((long) m * n);
        own.upload(a, 0, ab);
        own.upload(b, 0, bb);
        float worst = 0;
        float[] c = new float[m * n];
        for (int rep = 0; rep < 30; rep++) {
          own.gemm(false, false, m, n, k, 1f, ab, bb, 0f, cb);
          own.download(cb, c, 0);
          for (int i = 0; i < m; i += 7) {
            for (int j = 0; j < n; j += 5) {
              double ref = 0;
              for (int l = 0; l < k; l++) {
                ref += (double) a[i * k + l] * b[l * n + j];
              }
              worst = (float) Math.max(worst, Math.abs(c[i * n + j] - ref));
            }
          }
        }
        return worst;
      });
    }
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(ranks);
    try {
      for (java.util.concurrent.Future<Float> f : pool.invokeAll(work)) {
        assertThat(f.get()).as("seed=%d worst error of a rank thread", seed).isLessThan(1e-4f);
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void zeroInnerDimensionScalesC() {
    Buf a = be.allocate(1);
    Buf b = be.allocate(1);
    Buf c = be.allocate(6);
    be.upload(new float[] {1, 2, 3, 4, 5, 6}, 0, c);
    be.gemm(false, false, 2, 3, 0, 1f, a, b, 0.5f, c);
    float[] out = new float[6];
    be.download(c, out, 0);
    assertThat(out).containsExactly(0.5f, 1f, 1.5f, 2f, 2.5f, 3f);
  }

  @Test
  void tooShortBufferIsAClearError() {
    Buf a = be.allocate(5);
    Buf b = be.allocate(6);
    Buf c = be.allocate(6);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> be.gemm(false, false, 2, 3, 3, 1f, a, b, 0f, c))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gemm A").hasMessageContaining("needs 6 floats");
  }

  private void check(boolean ta, boolean tb, int m, int n, int k) {
    String what = String.format("seed=%d transA=%s transB=%s m=%d n=%d k=%d", seed, ta, tb, m, n, k);
    float alpha = (float) rng.nextDouble(-2, 2);
    float beta = rng.nextBoolean() ? 0f : (float) rng.nextDouble(-2, 2);
    int offA = 1 + rng.nextInt(7);
    int offB = 1 + rng.nextInt(7);
    int offC = 1 + rng.nextInt(7);
    int pad = 3;
    float[] hostA = TestSeed.uniform(rng, offA + m * k + pad, -1, 1);
    float[] hostB = TestSeed.uniform(rng, offB + k * n + pad, -1, 1);
    float[] hostC = TestSeed.uniform(rng, offC + m * n + pad, -1, 1);
    Buf pa = be.allocate(hostA.length);
    Buf pb = be.allocate(hostB.length);
    Buf pc = be.allocate(hostC.length);
    be.upload(hostA, 0, pa);
    be.upload(hostB, 0, pb);
    be.upload(hostC, 0, pc);

    be.gemm(ta, tb, m, n, k, alpha, pa.view(offA, (long) m * k), pb.view(offB, (long) k * n), beta,
        pc.view(offC, (long) m * n));

    float[] got = new float[hostC.length];
    be.download(pc, got, 0);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double sum = 0;
        double absSum = 0;
        for (int l = 0; l < k; l++) {
          double aij = ta ? hostA[offA + l * m + i] : hostA[offA + i * k + l]; // op(A)[i, l]
          double blj = tb ? hostB[offB + j * k + l] : hostB[offB + l * n + j]; // op(B)[l, j]
          sum += aij * blj;
          absSum += Math.abs(aij * blj);
        }
        double cOld = hostC[offC + i * n + j];
        double ref = alpha * sum + beta * cOld;
        // Standard float summation bound: (k + 2)·u·(|α|·Σ|a·b| + |β·c|), u = 2^-24, with a factor 2 of slack.
        double bound = 2 * (k + 2) * 0x1p-24 * (Math.abs(alpha) * absSum + Math.abs(beta * cOld)) + 1e-30;
        assertThat(Math.abs(got[offC + i * n + j] - ref)).as("%s at C[%d,%d]", what, i, j).isLessThanOrEqualTo(bound);
      }
    }
    for (int i = 0; i < offC; i++) {
      assertThat(got[i]).as("%s: float before the C view changed", what).isEqualTo(hostC[i]);
    }
    for (int i = offC + m * n; i < hostC.length; i++) {
      assertThat(got[i]).as("%s: float after the C view changed", what).isEqualTo(hostC[i]);
    }
  }
}
