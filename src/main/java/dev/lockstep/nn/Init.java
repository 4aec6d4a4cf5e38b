package dev.lockstep.nn;

import java.util.Locale;
import java.util.SplittableRandom;

/** Seeded weight initialisations. Normal draws use our own Box–Muller so they do not depend on the JDK. */
public enum Init {
  /** He normal: N(0, 2 / fanIn), for layers followed by relu/gelu. */
  HE,
  /** Xavier/Glorot uniform: U(±√(6 / (fanIn + fanOut))). */
  XAVIER;

  /** Parses a config value ("he", "xavier"); {@code where} names the config key for the error. */
  public static Init parse(String value, String where) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": unknown init '" + value + "' (expected he, xavier)");
    }
  }

  /** Writes {@code count} weights into {@code dst[offset...]}. */
  public void fill(float[] dst, int offset, int count, int fanIn, int fanOut, SplittableRandom rng) {
    switch (this) {
      case HE -> {
        double std = Math.sqrt(2.0 / fanIn);
        for (int i = 0; i < count; i += 2) {
          // Box–Muller: two independent standard normals from two uniforms in (0, 1].
          double radius = Math.sqrt(-2.0 * Math.log(1.0 - rng.nextDouble()));
          double angle = 2.0 * Math.PI * rng.nextDouble();
          dst[offset + i] = (float) (std * radius * Math.cos(angle));
          if (i + 1 < count) {
            dst[offset + i + 1] = (float) (std * radius * Math.sin(angle));
          }
        }
      }
      case XAVIER -> {
        double bound = Math.sqrt(6.0 / (fanIn + fanOut));
        for (int i = 0; i < count; i++) {
          dst[offset + i] = (float) ((2.0 * rng.nextDouble() - 1.0) * bound);
        }
      }
    }
  }
}
