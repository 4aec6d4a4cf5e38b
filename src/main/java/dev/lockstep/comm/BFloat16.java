package dev.lockstep.comm;

/**
 * bfloat16 (1 sign, 8 exponent, 7 mantissa bits: the top half of a float) to and from float, rounding to nearest,
 * ties to even. Same range as float, 8 significant bits; a float above the largest bfloat16 rounds to ±Inf.
 */
public final class BFloat16 {
  private BFloat16() {}

  /** {@code f} rounded to the nearest bfloat16 (ties to even); NaN stays a (quiet) NaN. */
  public static short fromFloat(float f) {
    int bits = Float.floatToRawIntBits(f);
    if ((bits & 0x7FFFFFFF) > 0x7F800000) {
      return (short) ((bits >>> 16) | 0x40); // quiet: truncating alone could turn a NaN into Inf
    }
    return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
  }

  /** The exact float value of bfloat16 bits {@code h}. */
  public static float toFloat(short h) {
    return Float.intBitsToFloat((h & 0xFFFF) << 16);
  }
}
