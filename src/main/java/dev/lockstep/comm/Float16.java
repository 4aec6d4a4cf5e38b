package dev.lockstep.comm;

/**
 * IEEE 754 binary16 ("fp16": 1 sign, 5 exponent, 10 mantissa bits) to and from float, rounding to nearest, ties to
 * even, with subnormals, infinities and NaN. Java 20 has {@code Float.floatToFloat16}; lockstep targets Java 17.
 */
public final class Float16 {
  /** The largest finite fp16, 65504. */
  public static final float MAX = 65504f;

  private Float16() {}

  /** {@code f} rounded to the nearest fp16 (ties to even); beyond 65520 (half an ulp above MAX) it is ±Inf. */
  public static short fromFloat(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int abs = bits & 0x7FFFFFFF;
    if (abs >= 0x7F800000) { // Inf, NaN (kept quiet, with the top of its payload)
      return (short) (sign | 0x7C00 | (abs > 0x7F800000 ? 0x200 | ((abs >>> 13) & 0x3FF) : 0));
    }
    if (abs >= 0x477FF000) { // >= 65520: the tie between 65504 (odd mantissa) and 65536 goes to Inf
      return (short) (sign | 0x7C00);
    }
    if (abs >= 0x38800000) { // >= 2^-14: a normal fp16; rebias the exponent (127 -> 15), round 23 -> 10 bits
      int v = abs - (112 << 23);
      v += 0x0FFF + ((v >>> 13) & 1); // a carry out of the mantissa correctly bumps the exponent
      return (short) (sign | (v >>> 13));
    }
    if (abs <= 0x33000000) { // <= 2^-25: half the smallest subnormal or less rounds to (signed) zero
      return (short) sign;
    }
    // A subnormal fp16: the value in units of 2^-24, rounded; may round up to the smallest normal (0x400).
    int e = abs >>> 23;
    int m = (abs & 0x7FFFFF) | 0x800000;
    int shift = 126 - e; // 14..24
    int q = m >>> shift;
    int rem = m & ((1 << shift) - 1);
    int half = 1 << (shift - 1);
    if (rem > half || (rem == half && (q & 1) == 1)) {
      q++;
    }
    return (short) (sign | q);
  }

  /** The exact float value of fp16 bits {@code h}. */
  public static float toFloat(short h) {
    int bits = h & 0xFFFF;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1F;
    int mant = bits & 0x3FF;
    if (exp == 0x1F) {
      return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
    }
    if (exp == 0) { // zero or subnormal: mant × 2^-24, exact in float
      float v = mant * 0x1p-24f;
      return sign != 0 ? -v : v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }
}
