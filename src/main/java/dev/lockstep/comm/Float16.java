package dev.lockstep.comm;

/**
 * IEEE 754 binary16 ("fp16": 1 sign, 5 exponent, 10 mantissa bits) to and from float, rounding to nearest, ties to
 * even, with subnormals, infinities and NaN. Java 20 has {@code Float.floatToFloat16}; lockstep targets Java 17.
 */
public final class Float16 {
  /** The largest finite fp16, 65504. */
  public static final float MAX = 65504f;

  private Float16() {}

  /**
   * {@code f} rounded to the nearest fp16 (ties to even); from 65520 (half an ulp above MAX, a tie that goes to the
   * even neighbour 65536) on it is ±Inf. NaN stays a quiet NaN.
   */
  public static short fromFloat(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int abs = bits & 0x7FFFFFFF;
    int h;
    if (abs >= 0x47800000) { // >= 65536, Inf, NaN
      h = abs > 0x7F800000 ? 0x7E00 : 0x7C00;
    } else if (abs < 0x38800000) { // below 2^-14: a subnormal fp16 (or zero). Adding 0.5 aligns the value's bits
      // to units of 2^-24 at the bottom of the float; the float addition itself rounds to nearest even.
      h = Float.floatToRawIntBits(Float.intBitsToFloat(abs) + 0.5f) - 0x3F000000;
    } else { // a normal fp16: rebias the exponent (127 -> 15) and round 23 -> 10 mantissa bits, ties to even; a
      // carry out of the mantissa bumps the exponent, up to Inf from 65520 on
      h = (abs - (112 << 23) + 0x0FFF + ((abs >>> 13) & 1)) >>> 13;
    }
    return (short) (sign | h);
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
