package dev.lockstep.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;

/** Shared pieces of the GPU tests: the GPU gate, random data, buffers with guarded padding. */
final class CudaTestSupport {
  private CudaTestSupport() {}

  /**
   * Skips the calling test class when CUDA is unavailable, or fails it when {@code -Dlockstep.requireGpu=true}
   * (the device run sets it, so a machine without a usable GPU cannot pass as green).
   */
  static void assumeGpu() {
    String reason = CudaBackend.unavailableReason().orElse(null);
    if (reason != null && Boolean.getBoolean("lockstep.requireGpu")) {
      fail("lockstep.requireGpu is set but " + reason);
    }
    assumeTrue(reason == null, () -> reason + " (GPU tests skipped)");
  }

  static SplittableRandom freshRandom(String what) {
    long seed = System.nanoTime() ^ what.hashCode();
    System.out.println("[seed] " + what + ": " + seed);
    return new SplittableRandom(seed);
  }

  static float[] uniform(SplittableRandom rng, int n, double lo, double hi) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (lo + (hi - lo) * rng.nextDouble());
    }
    return a;
  }

  /** A device copy of {@code data}. */
  static CudaBuf put(CudaBackend be, float[] data) {
    CudaBuf b = be.allocate(data.length);
    be.upload(data, 0, b);
    return b;
  }

  static float[] get(CudaBackend be, Buf b) {
    float[] out = new float[(int) b.length()];
    be.download(b, out, 0);
    return out;
  }

  /**
   * {@code data} placed at float offset {@code before} of a larger buffer whose padding holds sentinels, so a
   * test both exercises views with offsets and sees any write outside the view ({@link #assertPaddingIntact}).
   */
  static final class Guarded {
    final CudaBuf whole;
    final CudaBuf view;
    final int before;
    final int after;
    private final float[] padding;

    Guarded(CudaBackend be, float[] data, int before, int after) {
      this.before = before;
      this.after = after;
      float[] all = new float[before + data.length + after];
      padding = new float[before + after];
      for (int i = 0; i < padding.length; i++) {
        padding[i] = 1e6f + i; // distinctive, finite
      }
      System.arraycopy(padding, 0, all, 0, before);
      System.arraycopy(data, 0, all, before, data.length);
      System.arraycopy(padding, before, all, before + data.length, after);
      whole = put(be, all);
      view = whole.view(before, data.length);
    }

    void assertPaddingIntact(CudaBackend be) {
      float[] all = get(be, whole);
      for (int i = 0; i < before; i++) {
        assertThat(all[i]).as("padding before the view at %d", i).isEqualTo(padding[i]);
      }
      int tail = all.length - after;
      for (int i = 0; i < after; i++) {
        assertThat(all[tail + i]).as("padding after the view at %d", i).isEqualTo(padding[before + i]);
      }
    }
  }

  /**
   * Asserts |got − ref| ≤ tol · scale[i] element by element, with the first failure reported by index and
   * values; returns the largest |got − ref| / scale seen (for logs).
   */
  static double assertClose(String what, float[] got, double[] ref, double[] scale, double tol) {
    assertThat(got).as(what + " length").hasSize(ref.length);
    double worst = 0;
    for (int i = 0; i < ref.length; i++) {
      double err = Math.abs(got[i] - ref[i]);
      double bound = tol * scale[i];
      if (!(err <= bound)) { // also catches NaN
        fail(String.format("%s: element %d is %s, float64 reference %s (error %.3g > %.3g = %.1g × scale %.3g)",
            what, i, got[i], ref[i], err, bound, tol, scale[i]));
      }
      worst = Math.max(worst, scale[i] == 0 ? 0 : err / scale[i]);
    }
    return worst;
  }

  /** scale[i] = max(1, |ref[i]|): relative error for large values, absolute below 1. */
  static double[] relativeFloorOne(double[] ref) {
    double[] s = new double[ref.length];
    for (int i = 0; i < ref.length; i++) {
      s[i] = Math.max(1.0, Math.abs(ref[i]));
    }
    return s;
  }
}
