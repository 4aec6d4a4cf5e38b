package dev.lockstep.comm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Float16} and {@link BFloat16} against plain float64 references: every one of the 65536 bit patterns
 * decodes to the value its fields define, and floats (every float's neighbourhood of each 16-bit value, ties, and
 * fresh random floats of every magnitude) encode to the nearest value, ties to even, overflowing to infinity.
 */
class HalfPrecisionTest {
  /** The value of fp16 bits from the definition: (-1)^s × 2^(e-15) × 1.m, or 2^-14 × 0.m when e = 0. */
  private static double fp16Reference(int h) {
    int s = h >>> 15, e = (h >>> 10) & 0x1F, m = h & 0x3FF;
    double sign = s == 1 ? -1 : 1;
    if (e == 0x1F) {
      return m == 0 ? sign * Double.POSITIVE_INFINITY : Double.NaN;
    }
    return e == 0 ? sign * Math.scalb((double) m, -24) : sign * Math.scalb(1 + m / 1024.0, e - 15);
  }

  /** bf16 from its fields: (-1)^s × 2^(e-127) × 1.m (7 bits), subnormals 2^-126 × 0.m. */
  private static double bf16Reference(int h) {
    int s = h >>> 15, e = (h >>> 7) & 0xFF, m = h & 0x7F;
    double sign = s == 1 ? -1 : 1;
    if (e == 0xFF) {
      return m == 0 ? sign * Double.POSITIVE_INFINITY : Double.NaN;
    }
    return e == 0 ? sign * Math.scalb((double) m, -133) : sign * Math.scalb(1 + m / 128.0, e - 127);
  }

  /** Every finite non-negative value of a format, ascending, with its bits (for nearest-value searches). */
  private record Table(double[] values, int[] bits, double overflow) {
    static Table of(java.util.function.IntToDoubleFunction reference, int positiveInfinity) {
      double[] v = new double[positiveInfinity];
      int[] b = new int[positiveInfinity];
      for (int h = 0; h < positiveInfinity; h++) {
        v[h] = reference.applyAsDouble(h);
        b[h] = h;
      }
      double max = v[positiveInfinity - 1];
      double ulp = max - v[positiveInfinity - 2];
      return new Table(v, b, max + ulp / 2); // the tie at max + ulp/2 goes to the even neighbour: infinity
    }

    /** The bits of the value nearest |x| (ties to the even mantissa), with x's sign; infinity from `overflow` on. */
    int nearest(double x, int positiveInfinity) {
      int sign = x < 0 || (x == 0 && 1 / x < 0) ? 0x8000 : 0;
      double a = Math.abs(x);
      if (a >= overflow) {
        return sign | positiveInfinity;
      }
      int i = Arrays.binarySearch(values, a);
      if (i >= 0) {
        return sign | bits[i];
      }
      int hi = -i - 1, lo = hi - 1;
      if (hi == values.length) { // above the largest value, below the overflow threshold
        return sign | bits[lo];
      }
      double dLo = a - values[lo], dHi = values[hi] - a;
      int pick = dLo < dHi ? lo : dHi < dLo ? hi : ((bits[lo] & 1) == 0 ? lo : hi);
      return sign | bits[pick];
    }
  }

  private static final Table FP16 = Table.of(HalfPrecisionTest::fp16Reference, 0x7C00);
  private static final Table BF16 = Table.of(HalfPrecisionTest::bf16Reference, 0x7F80);

  @Test
  void everyFp16DecodesToItsValueAndEncodesBackToItself() {
    for (int h = 0; h < 65536; h++) {
      float f = Float16.toFloat((short) h);
      double expected = fp16Reference(h);
      if (Double.isNaN(expected)) {
        assertThat(f).as("bits %04x", h).isNaN();
        assertThat(Float16.toFloat(Float16.fromFloat(f))).isNaN();
        continue;
      }
      assertThat((double) f).as("bits %04x", h).isEqualTo(expected);
      assertThat(Float.floatToRawIntBits(f) >>> 31).as("sign of %04x", h).isEqualTo(h >>> 15);
      assertThat(Float16.fromFloat(f) & 0xFFFF).as("round trip of %04x", h).isEqualTo(h);
    }
  }

  @Test
  void everyBf16DecodesToItsValueAndEncodesBackToItself() {
    for (int h = 0; h < 65536; h++) {
      float f = BFloat16.toFloat((short) h);
      double expected = bf16Reference(h);
      if (Double.isNaN(expected)) {
        assertThat(f).as("bits %04x", h).isNaN();
        assertThat(BFloat16.toFloat(BFloat16.fromFloat(f))).isNaN();
        continue;
      }
      assertThat((double) f).as("bits %04x", h).isEqualTo(expected);
      assertThat(BFloat16.fromFloat(f) & 0xFFFF).as("round trip of %04x", h).isEqualTo(h);
    }
  }

  /** Around every finite 16-bit value: the midpoints to its neighbours (ties) and the floats just either side. */
  @Test
  void neighboursAndTiesOfEveryValueRoundToNearestEven() {
    checkAround(FP16, 0x7C00, true);
    checkAround(BF16, 0x7F80, false);
  }

  private static void checkAround(Table t, int inf, boolean fp16) {
    for (int i = 0; i + 1 < t.values().length; i++) {
      double mid = (t.values()[i] + t.values()[i + 1]) / 2; // exact in float: one bit more than the format
      float tie = (float) mid;
      assertThat((double) tie).isEqualTo(mid);
      for (float x : new float[] {tie, Math.nextDown(tie), Math.nextUp(tie), -tie, -Math.nextUp(tie),
          (float) t.values()[i]}) {
        int got = (fp16 ? Float16.fromFloat(x) : BFloat16.fromFloat(x)) & 0xFFFF;
        assertThat(got).as("%s of %s (%s)", fp16 ? "fp16" : "bf16", x, Float.floatToRawIntBits(x))
            .isEqualTo(t.nearest(x, inf));
      }
    }
  }

  @Test
  void randomFloatsOfEveryMagnitudeRoundToTheNearestValue() {
    long seed = ThreadLocalRandom.current().nextLong();
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < 2_000_000; i++) {
      float x = Float.intBitsToFloat(random.nextInt()); // every exponent equally likely
      if (Float.isNaN(x)) {
        assertThat(Float16.toFloat(Float16.fromFloat(x))).isNaN();
        assertThat(BFloat16.toFloat(BFloat16.fromFloat(x))).isNaN();
        continue;
      }
      assertThat(Float16.fromFloat(x) & 0xFFFF).as("fp16 of %s (seed %d)", x, seed).isEqualTo(FP16.nearest(x, 0x7C00));
      assertThat(BFloat16.fromFloat(x) & 0xFFFF).as("bf16 of %s (seed %d)", x, seed)
          .isEqualTo(BF16.nearest(x, 0x7F80));
      float y = (float) random.nextDouble(-70000, 70000) * (float) Math.scalb(1.0, -random.nextInt(30));
      assertThat(Float16.fromFloat(y) & 0xFFFF).as("fp16 of %s (seed %d)", y, seed).isEqualTo(FP16.nearest(y, 0x7C00));
    }
  }

  @Test
  void edgesOfTheRanges() {
    assertThat(Float16.toFloat(Float16.fromFloat(65504f))).isEqualTo(65504f);
    assertThat(Float16.toFloat(Float16.fromFloat(65519.99f))).isEqualTo(65504f);
    assertThat(Float16.toFloat(Float16.fromFloat(65520f))).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(Float16.toFloat(Float16.fromFloat(-1e9f))).isEqualTo(Float.NEGATIVE_INFINITY);
    assertThat(Float16.toFloat(Float16.fromFloat(0x1p-24f))).isEqualTo(0x1p-24f); // smallest subnormal
    assertThat(Float16.toFloat(Float16.fromFloat(0x1p-25f))).isEqualTo(0f); // tie with zero: even
    assertThat(Float16.toFloat(Float16.fromFloat(Math.nextUp(0x1p-25f)))).isEqualTo(0x1p-24f);
    assertThat(Float.floatToRawIntBits(Float16.toFloat(Float16.fromFloat(-0f)))).isEqualTo(0x80000000);
    assertThat(BFloat16.toFloat(BFloat16.fromFloat(Float.MAX_VALUE))).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(BFloat16.toFloat(BFloat16.fromFloat(1f + 0x1p-8f))).isEqualTo(1f); // tie: to even
    assertThat(BFloat16.toFloat(BFloat16.fromFloat(1f + 0x1p-8f + 0x1p-20f))).isEqualTo(1f + 0x1p-7f);
    assertThat(BFloat16.toFloat(BFloat16.fromFloat(Float.intBitsToFloat(0x7F800001)))).isNaN();
  }

  @Test
  void fp16ScaleKeepsTheSumOfEveryRankBelowTheFormatsMaximum() {
    SplittableRandom random = new SplittableRandom(ThreadLocalRandom.current().nextLong());
    for (int trial = 0; trial < 10_000; trial++) {
      int ranks = 1 + random.nextInt(64);
      double max = Math.scalb(random.nextDouble(0.5, 1), random.nextInt(-140, 120));
      float s = Compression.FP16.scaleFor(max, ranks);
      assertThat(Math.getExponent(s)).isBetween(-126, 126);
      assertThat(Float.floatToRawIntBits(s) & 0x7FFFFF).as("a power of two").isZero();
      if (Math.getExponent(s) > -126 && Math.getExponent(s) < 126) {
        // the largest: N · max · s < 2^15 <= N · max · 2s
        assertThat(ranks * max * s).isLessThan(32768);
        assertThat(ranks * max * s * 2).isGreaterThanOrEqualTo(32768);
      }
      float rounded = Compression.FP16.round((float) (max * s)); // one rank's largest, rounded up at most
      assertThat((double) ranks * rounded * (1 + 0x1p-11)).isLessThan(65504);
    }
    assertThat(Compression.FP16.scaleFor(0, 4)).isEqualTo(1f);
    assertThat(Compression.FP16.scaleFor(Double.NaN, 4)).isEqualTo(1f);
    assertThat(Compression.BF16.scaleFor(1e30, 4)).isEqualTo(1f);
  }
}
