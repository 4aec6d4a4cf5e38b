package dev.lockstep.comm;

import java.nio.FloatBuffer;
import java.util.Locale;

/**
 * {@code comm.compression}: the 16-bit format of the gradient allreduce's payload. Whatever the algorithm, a
 * compressed SUM-allreduce computes, element by element,
 *
 * <pre>  result = decode(encode(Σ_{r = 0..N-1, in rank order, float32} decode(encode(x_r · s)))) / s</pre>
 *
 * every rank's value rounded once to 16 bits, the sum taken in float32, the sum rounded once more, and every rank
 * (the one that summed included) keeping the decoded value: the replicas stay bit-identical. Algorithms that move
 * 16-bit payloads (ring, across hosts) send the encoded values; the shared-memory ones, which are memory-bound and
 * gain nothing from smaller payloads, apply the same two roundings around their float32 sum (same result bits).
 *
 * <p>bf16 has float's exponent range: {@code s = 1}. fp16's range is 2^-24 .. 65504, so each bucket gets a dynamic
 * scale {@code s}, a power of two (exact to apply and undo) chosen from the bucket's largest |x| over all ranks:
 * the largest with {@code N · max|x| · s <= 2^15}. Each scaled value is then at most 2^15 / N, the sum of N of them
 * (even rounded up) stays below 2^15 · (1 + 2^-11) < 65504, so nothing overflows — no loss scale to tune, no step
 * skipped for overflow — while the bucket's values use fp16's top binades: a value more than about 2^39 below the
 * bucket's largest flushes to zero. A NaN/Inf in the input stays non-finite in the result (scale 1), and
 * {@code update.on_nonfinite} decides.
 */
public enum Compression {
  NONE, BF16, FP16;

  /** Largest scaled |sum| fp16 is given: 2^15, with room to spare below 65504 for the roundings. */
  private static final int FP16_SUM_EXPONENT = 15;

  /** The value of {@code comm.compression}: none | bf16 | fp16. */
  public static Compression parse(String name) {
    return switch (name) {
      case "none" -> NONE;
      case "bf16" -> BF16;
      case "fp16" -> FP16;
      default -> throw new IllegalArgumentException("comm.compression: unknown " + name + " (none | bf16 | fp16)");
    };
  }

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether the scale depends on the data (a collective agrees on the largest |x| first). */
  public boolean scaled() {
    return this == FP16;
  }

  public short encode(float x) {
    return this == FP16 ? Float16.fromFloat(x) : BFloat16.fromFloat(x);
  }

  public float decode(short h) {
    return this == FP16 ? Float16.toFloat(h) : BFloat16.toFloat(h);
  }

  /** {@code x} rounded to the format and back (the identity for NONE). */
  public float round(float x) {
    return switch (this) {
      case NONE -> x;
      case BF16 -> BFloat16.toFloat(BFloat16.fromFloat(x));
      case FP16 -> Float16.toFloat(Float16.fromFloat(x));
    };
  }

  /**
   * The scale s (a power of two) for a bucket whose largest |x| over all {@code ranks} ranks is {@code maxAbs}: 1
   * unless fp16 (see the class comment); 1 as well for a non-finite or zero maximum.
   */
  public float scaleFor(double maxAbs, int ranks) {
    if (this != FP16 || !(maxAbs > 0) || !Double.isFinite(maxAbs)) {
      return 1f;
    }
    int e = FP16_SUM_EXPONENT - (Math.getExponent(ranks * maxAbs) + 1); // ranks · maxAbs · 2^e < 2^15
    return Math.scalb(1f, Math.max(-126, Math.min(126, e)));
  }

  /** dst[at, at+n) = encode(src[from + i] · scale): one loop per format (the hot path of a compressed transfer). */
  public void encode(float[] src, int from, float scale, short[] dst, int at, int n) {
    if (this == FP16) {
      for (int i = 0; i < n; i++) {
        dst[at + i] = Float16.fromFloat(src[from + i] * scale);
      }
    } else {
      for (int i = 0; i < n; i++) {
        dst[at + i] = BFloat16.fromFloat(src[from + i] * scale);
      }
    }
  }

  /** dst[to, to+n) = decode(src[at + i]) · factor. */
  public void decode(short[] src, int at, float factor, float[] dst, int to, int n) {
    if (this == FP16) {
      for (int i = 0; i < n; i++) {
        dst[to + i] = Float16.toFloat(src[at + i]) * factor;
      }
    } else {
      for (int i = 0; i < n; i++) {
        dst[to + i] = BFloat16.toFloat(src[at + i]) * factor;
      }
    }
  }

  /** acc[0, n) += decode(src[at + i]). */
  public void decodeAdd(short[] src, int at, float[] acc, int n) {
    if (this == FP16) {
      for (int i = 0; i < n; i++) {
        acc[i] += Float16.toFloat(src[at + i]);
      }
    } else {
      for (int i = 0; i < n; i++) {
        acc[i] += BFloat16.toFloat(src[at + i]);
      }
    }
  }

  /** Largest |x| of buf[offset, offset+length); NaN when there is one (then the scale is 1). */
  public static double maxAbs(float[] buf, int offset, int length) {
    float m = 0;
    for (int i = offset; i < offset + length; i++) {
      float a = Math.abs(buf[i]);
      if (!(a <= m)) { // also true for NaN
        if (Float.isNaN(a)) {
          return Double.NaN;
        }
        m = a;
      }
    }
    return m;
  }

  public static double maxAbs(FloatBuffer buf, int offset, int length) {
    float m = 0;
    for (int i = offset; i < offset + length; i++) {
      float a = Math.abs(buf.get(i));
      if (!(a <= m)) {
        if (Float.isNaN(a)) {
          return Double.NaN;
        }
        m = a;
      }
    }
    return m;
  }

  /** In place: x → decode(encode(x · scale)), the value a rank contributes (still scaled). */
  public void roundScaled(float[] buf, int offset, int length, float scale) {
    for (int i = offset; i < offset + length; i++) {
      buf[i] = round(buf[i] * scale);
    }
  }

  public void roundScaled(FloatBuffer buf, int offset, int length, float scale) {
    for (int i = offset; i < offset + length; i++) {
      buf.put(i, round(buf.get(i) * scale));
    }
  }

  /** In place: sum → decode(encode(sum)) / scale, the value every rank keeps. */
  public void roundUnscaled(float[] buf, int offset, int length, float scale) {
    float inverse = 1f / scale; // exact: a power of two
    for (int i = offset; i < offset + length; i++) {
      buf[i] = round(buf[i]) * inverse;
    }
  }

  public void roundUnscaled(FloatBuffer buf, int offset, int length, float scale) {
    float inverse = 1f / scale;
    for (int i = offset; i < offset + length; i++) {
      buf.put(i, round(buf.get(i)) * inverse);
    }
  }
}
